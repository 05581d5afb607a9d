package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;

/** SYNCHRONIZE CACHE(10/16) and PRE-FETCH(10/16) (SBC-3 5.10, 5.11, 5.22, 5.23). */
final class CacheCommands {
    private CacheCommands() {}

    /** The range of a command whose zero length means "to the end of the medium", range checked. */
    private static long blocksToEnd(LogicalUnit lu, BlockRange r) throws ScsiException {
        long blocks = r.blocksOrToEnd(lu);
        if (!lu.inRange(r.lba(), blocks)) {
            throw new ScsiException(Sense.lbaOutOfRange());
        }
        return blocks;
    }

    /**
     * SYNCHRONIZE CACHE: the range is checked, then the whole store is flushed (a store has no
     * per-range flush). IMMED is accepted but the flush still completes before status, so GOOD
     * always means durable.
     */
    static ScsiResult synchronizeCache(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        blocksToEnd(lu, BlockRange.decode(task.cdb()));
        lu.flush();
        return ScsiResult.good();
    }

    /**
     * PRE-FETCH: ranges that fit one transfer are read now (warming the store's cache) and
     * answered CONDITION MET, as SBC-3 asks when the blocks are now in cache; larger ranges do
     * not fit that cache and get GOOD, which SBC-3 allows. An empty range is GOOD.
     */
    static ScsiResult preFetch(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        BlockRange r = BlockRange.decode(task.cdb());
        long blocks = blocksToEnd(lu, r);
        if (blocks == 0 || blocks > ScsiLimits.MAX_TRANSFER_BYTES / lu.blockSize()) {
            return ScsiResult.good();
        }
        MediumReader.scan(task, lu, r.lba(), blocks, (chunk, base) -> {});
        return ScsiResult.conditionMet();
    }
}
