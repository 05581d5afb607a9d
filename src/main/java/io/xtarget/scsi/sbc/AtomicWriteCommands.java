package io.xtarget.scsi.sbc;

import io.xtarget.backend.Store;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LbaLocks;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The commands that must not interleave with others: COMPARE AND WRITE (SBC-3 5.2), ORWRITE(16)
 * (SBC-3 5.9) and WRITE ATOMIC(16) (SBC-4 5.48). Each holds its LBA stripes exclusively from its
 * read (if any) to the end of its write, so no other read or write of the LU lands in between.
 */
final class AtomicWriteCommands {
    /**
     * COMPARE AND WRITE: the data-out holds the verify data then the write data, each NUMBER OF
     * LOGICAL BLOCKS long. On the first difference nothing is written and MISCOMPARE reports its
     * offset in the INFORMATION field. A store with an atomic compare and write of its own
     * ({@link Store#compareAndWrite}, e.g. a Ceph cluster's, which holds against other gateways)
     * does it; for the others the LU compares and writes under its stripes, held exclusively.
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
        try (LbaLocks.Held h = lu.lockExclusive(r.lba(), r.blocks())) {
            long outcome = lu.compareAndWrite(r.lba(), verify, write, r.fua());
            if (outcome == Store.COMPARE_MATCHED) {
                return ScsiResult.good();
            }
            if (outcome >= 0) {
                throw MediumReader.miscompare(outcome);
            }
            ByteBuffer current = task.allocate(n);
            lu.read(r.lba(), current);
            current.flip();
            ReadWriteCommands.requireEqual(current, verify, 0);
            lu.write(r.lba(), write, r.fua());
        }
        return ScsiResult.good();
    }

    /** ORWRITE(16): each medium byte becomes itself OR the data-out byte. */
    ScsiResult orWrite(ScsiTask task) throws ScsiException, IOException {
        ReadWriteCommands.Transfer t = ReadWriteCommands.Transfer.of(task);
        LogicalUnit lu = t.lu();
        BlockRange r = t.range();
        int n = t.bytes();
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

    /**
     * WRITE ATOMIC(16), SBC-4 5.48 and 4.29: one atomic write operation. Every field is checked
     * before anything is written: WRPROTECT (no protection information), ATOMIC BOUNDARY (must be
     * 0: MAXIMUM ATOMIC BOUNDARY SIZE is 0), TRANSFER LENGTH against MAXIMUM ATOMIC TRANSFER
     * LENGTH and ATOMIC TRANSFER LENGTH GRANULARITY, the LBA against ATOMIC ALIGNMENT (each
     * INVALID FIELD IN CDB pointing at the field), then the range (LBA OUT OF RANGE). The whole
     * data-out is in hand before the write starts; a data-out shorter than TRANSFER LENGTH writes
     * nothing (a part would not be atomic). The write holds its stripes exclusively, so no read or
     * write of the LU sees or mixes with half of it; an abort either comes before it (nothing
     * written) or after it. FUA is passed down; DPO needs nothing (xtarget keeps no cache of its
     * own). A TRANSFER LENGTH of 0 writes nothing and is not an error.
     */
    ScsiResult writeAtomic16(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        Cdb cdb = task.cdb();
        BlockRange r = BlockRange.decode(cdb).requireNoProtection();
        if (cdb.u16(10) != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(10, -1)); // ATOMIC BOUNDARY
        }
        int unit = SbcLimits.atomicBlocks(lu); // a power of two
        if (r.blocks() > SbcLimits.maxAtomicBlocks(lu) || r.blocks() % unit != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(r.lengthField(), -1));
        }
        if ((r.lba() & (unit - 1)) != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1)); // ATOMIC ALIGNMENT
        }
        r.requireInRange(lu);
        int n = (int) r.blocks() * lu.blockSize();
        if (n == 0) {
            return ScsiResult.good();
        }
        if (task.dataOutLength() < n) {
            throw new ScsiException(Sense.invalidFieldInCdb(r.lengthField(), -1));
        }
        ByteBuffer data = task.dataOut(n);
        try (LbaLocks.Held h = lu.lockExclusive(r.lba(), r.blocks())) {
            if (task.isAborted()) {
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
            lu.write(r.lba(), data, r.fua());
        }
        return ScsiResult.good();
    }
}
