package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * WRITE SAME(10/16), UNMAP and GET LBA STATUS: the commands of logical block provisioning
 * (SBC-3 4.7). The LU is thin provisioned with LBPRZ=1: unmapped blocks read back as zeros.
 */
final class ProvisioningCommands {
    /**
     * WRITE SAME(10/16), SBC-3 5.42/5.43. One block of data-out (zeros when NDOB=1) is written
     * to every block of the range, in bounded chunks. With UNMAP=1 each LBA is either unmapped,
     * which reads back as zeros (LBPRZ=1), or written with the data-out block (SBC-3 5.42: "for
     * each LBA ... a write operation ... or an unmap operation"): the whole physical blocks of the
     * range are deallocated, the blocks of a physical block the range only covers in part are
     * written ({@link PhysicalGranules}). VPD 0xB0 advertises WSNZ=0: zero blocks means from the
     * LBA to the end of the medium (SBC-3 5.42), still bounded by MAXIMUM WRITE SAME LENGTH;
     * ANCHOR (ANC_SUP=0) and the obsolete PBDATA and LBDATA are reserved in the rows' usage data,
     * so the core rejects them before this runs.
     */
    ScsiResult writeSame(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb();
        LogicalUnit lu = task.lu();
        BlockRange r = BlockRange.decode(cdb).requireNoProtection();
        int f = r.flags();
        boolean unmap = (f & 0x08) != 0;
        boolean noDataOut = cdb.opcode() == SbcOpcodes.WRITE_SAME_16 && (f & 0x01) != 0; // NDOB
        r.requireInRange(lu);
        int bs = lu.blockSize();
        long blocks = r.blocks();
        if (blocks == 0) {
            if (r.lba() >= lu.blockCount()) {
                throw new ScsiException(Sense.lbaOutOfRange());
            }
            blocks = lu.blockCount() - r.lba();
        }
        if (blocks > SbcLimits.maxWriteSameBlocks(bs)) {
            throw new ScsiException(Sense.invalidFieldInCdb(r.lengthField(), -1));
        }
        ByteBuffer block = null;
        if (!noDataOut) {
            if (task.dataOutLength() > bs) {
                // WRITE SAME transfers exactly one block; a longer data-out contradicts the CDB.
                throw new ScsiException(Sense.invalidFieldInCdb());
            }
            block = task.dataOut(bs); // shorter: PARAMETER LIST LENGTH ERROR
        }
        if (!unmap) {
            replicate(task, lu, r.lba(), blocks, block);
            return ScsiResult.good();
        }
        PhysicalGranules g = PhysicalGranules.of(lu, r.lba(), blocks);
        if (g.headBlocks() > 0) {
            replicate(task, lu, g.lba(), g.headBlocks(), block);
        }
        if (g.middleBlocks() > 0) {
            lu.unmap(g.first(), g.middleBlocks());
        }
        if (g.tailBlocks() > 0) {
            replicate(task, lu, g.last(), g.tailBlocks(), block);
        }
        return ScsiResult.good();
    }

    /** Bytes one WRITE SAME the store does itself covers, so aborts are seen between them. */
    static final long NATIVE_CHUNK_BYTES = 128L << 20;

    /**
     * Writes {@code block} (null: zeros) to every block of the range: by the store itself where
     * it can ({@link LogicalUnit#writeSame}, e.g. librbd's writesame, which replicates on the
     * storage cluster), else one bounded chunk of replicated blocks at a time.
     */
    private static void replicate(ScsiTask task, LogicalUnit lu, long lba, long blocks, ByteBuffer block)
            throws ScsiException, IOException {
        int bs = lu.blockSize();
        ByteBuffer one = block;
        if (one == null) {
            one = task.allocate(bs);
            for (int j = 0; j < bs; j += 8) {
                one.putLong(j, 0L);
            }
        }
        long nativeBlocks = NATIVE_CHUNK_BYTES / bs;
        while (blocks > 0) {
            if (task.isAborted()) {
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
            long n = Math.min(blocks, nativeBlocks);
            if (!lu.writeSame(lba, n, one.slice(0, bs), false)) {
                break;
            }
            lba += n;
            blocks -= n;
        }
        if (blocks == 0) {
            return;
        }
        int chunkBlocks = (int) Math.min(blocks, Math.max(1, MediumReader.CHUNK_BYTES / bs));
        ByteBuffer chunk = task.allocate(chunkBlocks * bs);
        for (int i = 0; i < chunkBlocks; i++) {
            if (block == null) {
                for (int j = 0; j < bs; j += 8) {
                    chunk.putLong(i * bs + j, 0L);
                }
            } else {
                chunk.put(i * bs, block, 0, bs);
            }
        }
        long done = 0;
        while (done < blocks) {
            if (task.isAborted()) {
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
            int n = (int) Math.min(blocks - done, chunkBlocks);
            chunk.clear().limit(n * bs);
            lu.write(lba + done, chunk, false);
            done += n;
        }
    }

    /**
     * UNMAP, SBC-3 5.28: an 8-byte header then 16-byte block descriptors. Every descriptor is
     * checked before any block is deallocated, so a bad list changes nothing. Only the whole
     * physical blocks of each descriptor are deallocated; the blocks of a physical block it covers
     * only in part stay mapped with their data, as SBC-3 allows (6.5.3, OPTIMAL UNMAP GRANULARITY:
     * an unmap request that is not a multiple of it "may result in unmap operations on fewer LBAs
     * than requested"; UNMAP, unlike WRITE SAME, has no data to write instead). With one logical
     * block per physical block every requested block is deallocated.
     */
    ScsiResult unmap(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb();
        LogicalUnit lu = task.lu();
        int length = cdb.u16(7);
        if (length == 0) {
            return ScsiResult.good(); // no parameter data: nothing to do
        }
        if (length < 8) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        ByteBuffer list = task.dataOut(length);
        UnmapList descriptors = UnmapList.parse(list, lu.blockCount(), SbcLimits.maxUnmapBlocks(lu.blockSize()));
        for (int i = 0; i < descriptors.count(); i++) {
            PhysicalGranules g = PhysicalGranules.of(lu, descriptors.lba(i), descriptors.blocks(i));
            if (g.middleBlocks() > 0) {
                lu.unmap(g.first(), g.middleBlocks());
            }
        }
        return ScsiResult.good();
    }

    /** The most LBA status descriptors one GET LBA STATUS returns. */
    static final int MAX_LBA_STATUS_DESCRIPTORS = 64;

    /**
     * GET LBA STATUS, SBC-3 5.7: consecutive descriptors from the LBA on, each a run of blocks
     * that are all mapped (00h) or all deallocated (01h) as the store tells them
     * ({@link LogicalUnit#blockExtentAt}; a store that cannot tell reports the rest as mapped), at
     * most 2^32-1 blocks each, as many as the ALLOCATION LENGTH holds (at least one, at most
     * {@link #MAX_LBA_STATUS_DESCRIPTORS}) or until the end of the medium.
     */
    ScsiResult getLbaStatus(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb();
        LogicalUnit lu = task.lu();
        long lba = cdb.u64(2);
        long allocation = cdb.u32(10);
        if (lba < 0 || lba >= lu.blockCount()) {
            throw new ScsiException(Sense.lbaOutOfRange());
        }
        int room = (int) Math.clamp((allocation - 8) / 16, 1, MAX_LBA_STATUS_DESCRIPTORS);
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * room);
        int n = 0;
        for (long at = lba; n < room && at < lu.blockCount(); n++) {
            io.xtarget.backend.Store.Extent e = lu.blockExtentAt(at);
            long blocks = Math.min(0xFFFF_FFFFL, Math.min(e.length(), lu.blockCount() - at));
            int d = 8 + 16 * n;
            b.putLong(d, at);
            b.putInt(d + 8, (int) blocks);
            b.put(d + 12, (byte) (e.mapped() ? 0 : 1)); // PROVISIONING STATUS: mapped / deallocated
            at += blocks;
        }
        b.putInt(0, 4 + 16 * n); // PARAMETER DATA LENGTH: the bytes after this field
        return ScsiResult.good(java.util.Arrays.copyOf(b.array(), 8 + 16 * n), allocation);
    }
}
