package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LbaLocks;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The read-modify-write commands: COMPARE AND WRITE (SBC-3 5.2) and ORWRITE(16) (SBC-3 5.9).
 * Each holds its LBA stripes exclusively from the read to the write, so no other write through
 * this command set lands in between.
 */
final class AtomicWriteCommands {
    /**
     * COMPARE AND WRITE: the data-out holds the verify data then the write data, each NUMBER OF
     * LOGICAL BLOCKS long. On the first difference nothing is written and MISCOMPARE reports its
     * offset in the INFORMATION field.
     */
    ScsiResult compareAndWrite(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        BlockRange r = BlockRange.decode(task.cdb()).requireNoProtection();
        if (r.blocks() > SbcLimits.MAX_COMPARE_AND_WRITE_BLOCKS) {
            throw new ScsiException(Sense.invalidFieldInCdb(13, -1));
        }
        int bs = lu.blockSize();
        if (task.dataOutLength() > 2 * SbcLimits.MAX_COMPARE_AND_WRITE_BLOCKS * bs) {
            // More data-out than any valid COMPARE AND WRITE carries: the one-byte NUMBER OF
            // LOGICAL BLOCKS cannot be what the initiator meant (e.g. 256 blocks wrapped to 0).
            throw new ScsiException(Sense.invalidFieldInCdb(13, -1));
        }
        r.requireInRange(lu);
        if (r.blocks() == 0) {
            return ScsiResult.good(); // SBC-3 5.2: zero blocks is not an error, nothing is transferred
        }
        int n = (int) r.blocks() * bs;
        if (task.dataOutLength() > 2 * n) {
            // More data-out than NUMBER OF LOGICAL BLOCKS accounts for: the CDB and the
            // transfer disagree, so neither can be trusted (libiscsi CompareAndWrite.InvalidDataOutSize).
            throw new ScsiException(Sense.invalidFieldInCdb(13, -1));
        }
        ByteBuffer data = task.dataOut(2 * n); // fewer bytes: PARAMETER LIST LENGTH ERROR
        ByteBuffer verify = data.slice(0, n);
        ByteBuffer write = data.slice(n, n);
        ByteBuffer current = task.allocate(n);
        try (LbaLocks.Held h = lu.lockExclusive(r.lba(), r.blocks())) {
            lu.read(r.lba(), current);
            current.flip();
            ReadWriteCommands.requireEqual(current, verify, 0);
            lu.write(r.lba(), write, r.fua());
        }
        return ScsiResult.good();
    }

    /** ORWRITE(16): each medium byte becomes itself OR the data-out byte. */
    ScsiResult orWrite(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        BlockRange r = BlockRange.decode(task.cdb()).requireNoProtection();
        int n = r.requireTransferBytes(lu.blockSize());
        r.requireInRange(lu);
        if (n == 0) {
            return ScsiResult.good();
        }
        ByteBuffer src = task.dataOut(n);
        ByteBuffer current = task.allocate(n);
        try (LbaLocks.Held h = lu.lockExclusive(r.lba(), r.blocks())) {
            lu.read(r.lba(), current);
            current.flip();
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                current.putLong(i, current.getLong(i) | src.getLong(i));
            }
            for (; i < n; i++) {
                current.put(i, (byte) (current.get(i) | src.get(i)));
            }
            lu.write(r.lba(), current, r.fua());
        }
        return ScsiResult.good();
    }
}
