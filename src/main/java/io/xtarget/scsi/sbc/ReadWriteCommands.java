package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/** READ, WRITE, VERIFY and WRITE AND VERIFY in all their CDB sizes (SBC-3 5.14-5.16, 5.30-5.41). */
final class ReadWriteCommands {
    /**
     * The blocks of a READ, WRITE or ORWRITE, checked in this order: no protection information, a
     * transfer length that fits, inside the LU.
     */
    record Transfer(LogicalUnit lu, BlockRange range, int bytes) {
        static Transfer of(ScsiTask task) throws ScsiException {
            LogicalUnit lu = task.lu();
            BlockRange r = BlockRange.decode(task.cdb()).requireNoProtection();
            int n = r.requireTransferBytes(lu.blockSize());
            r.requireInRange(lu);
            return new Transfer(lu, r, n);
        }

        /** The whole blocks of data-out that arrived, at most the transfer, as the buffers they arrived in. */
        ByteBuffer[] dataOut(ScsiTask task) {
            return task.dataOutBlockSegments(bytes / lu.blockSize(), lu.blockSize());
        }
    }

    /**
     * READ(6/10/12/16). DPO and FUA need no action: every read comes from the store itself. When
     * the fabric offers the initiator's own buffers ({@link ScsiTask#placeDataIn}), the store reads
     * straight into them, one call per buffer, and the result carries no data of its own.
     */
    ScsiResult read(ScsiTask task) throws ScsiException, IOException {
        Transfer t = Transfer.of(task);
        int n = t.bytes();
        if (n == 0) {
            return ScsiResult.good(); // SBC-3 5.15: a zero TRANSFER LENGTH is not an error
        }
        ByteBuffer[] placed = task.placeDataIn(n);
        if (placed != null) {
            t.lu().read(t.range().lba(), placed); // straight into the initiator's buffers (virtio guest memory)
            return ScsiResult.good();
        }
        ByteBuffer buf = task.allocate(n);
        t.lu().read(t.range().lba(), buf);
        buf.flip();
        return ScsiResult.good(buf);
    }

    /**
     * WRITE(6/10/12/16); FUA is passed down, the LU adds durability itself when WCE=0. Data-out that
     * arrived in several buffers is written from them as they are, one store call per buffer.
     */
    ScsiResult write(ScsiTask task) throws ScsiException, IOException {
        Transfer t = Transfer.of(task);
        ByteBuffer[] data = t.dataOut(task);
        if (data.length > 0 && data[0].hasRemaining()) {
            t.lu().write(t.range().lba(), data, t.range().fua());
        }
        return ScsiResult.good();
    }

    /**
     * READ started without blocking ({@link io.xtarget.scsi.CommandHandler#start}): the same
     * checks as {@link #read}, then the LU's store reads into a data-in buffer and completes it.
     * Null, with nothing done, when the LU cannot start it now (then {@link #read} runs it).
     */
    CompletableFuture<ScsiResult> startRead(ScsiTask task) throws ScsiException {
        Transfer t = Transfer.of(task);
        if (t.bytes() == 0) {
            return CompletableFuture.completedFuture(ScsiResult.good());
        }
        ByteBuffer buf = task.allocate(t.bytes());
        CompletableFuture<Void> f = t.lu().startRead(t.range().lba(), buf);
        return f == null ? null : f.thenApply(v -> ScsiResult.good(buf.flip()));
    }

    /**
     * WRITE started without blocking: the same checks as {@link #write}, for data-out that
     * arrived in one buffer. Null, with nothing written, when the LU cannot start it now.
     */
    CompletableFuture<ScsiResult> startWrite(ScsiTask task) throws ScsiException {
        Transfer t = Transfer.of(task);
        ByteBuffer[] data = t.dataOut(task);
        if (data.length == 0 || !data[0].hasRemaining()) {
            return CompletableFuture.completedFuture(ScsiResult.good());
        }
        if (data.length > 1) {
            return null;
        }
        CompletableFuture<Void> f = t.lu().startWrite(t.range().lba(), data[0], t.range().fua());
        return f == null ? null : f.thenApply(v -> ScsiResult.good());
    }

    /**
     * WRITE AND VERIFY(10/12/16). The write is forced to the medium, then read back; with
     * BYTCHK=01b the read-back is compared with the data-out. BYTCHK 10b and 11b are reserved
     * for this command (SBC-3 5.41, table 84).
     */
    ScsiResult writeAndVerify(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        BlockRange r = BlockRange.decode(task.cdb()).requireNoProtection();
        if (r.bytchk() > 1) {
            throw new ScsiException(Sense.invalidFieldInCdb(1, 2));
        }
        int bs = lu.blockSize();
        int n = r.requireTransferBytes(bs);
        r.requireInRange(lu);
        ByteBuffer written = task.dataOutBlocks(n / bs, bs);
        int got = written.remaining();
        if (got == 0) {
            return ScsiResult.good();
        }
        lu.write(r.lba(), written.duplicate(), true);
        boolean compare = r.bytchk() == 1;
        MediumReader.scan(task, lu, r.lba(), got / bs, (chunk, base) -> {
            if (compare) {
                requireEqual(chunk, written.slice((int) base, chunk.remaining()), base);
            }
        });
        return ScsiResult.good();
    }

    /**
     * VERIFY(10/12/16), SBC-3 5.30-5.32. BYTCHK 00b: verify the medium (read it); 01b: compare
     * with the data-out; 11b: compare every block with the single block of data-out; 10b is
     * reserved. MISCOMPARE carries the offset of the first differing byte in INFORMATION.
     */
    ScsiResult verify(ScsiTask task) throws ScsiException, IOException {
        LogicalUnit lu = task.lu();
        BlockRange r = BlockRange.decode(task.cdb()).requireNoProtection();
        int bytchk = r.bytchk();
        if (bytchk == 2) {
            throw new ScsiException(Sense.invalidFieldInCdb(1, 2));
        }
        int bs = lu.blockSize();
        int n = r.requireTransferBytes(bs);
        r.requireInRange(lu);
        if (n == 0) {
            return ScsiResult.good(); // VERIFICATION LENGTH 0: nothing to verify, not an error
        }
        switch (bytchk) {
            case 0 -> MediumReader.scan(task, lu, r.lba(), r.blocks(), (chunk, base) -> {});
            case 1 -> {
                ByteBuffer expected = task.dataOut(n);
                MediumReader.scan(task, lu, r.lba(), r.blocks(),
                        (chunk, base) -> requireEqual(chunk, expected.slice((int) base, chunk.remaining()), base));
            }
            default -> {
                ByteBuffer pattern = task.dataOut(bs);
                MediumReader.scan(task, lu, r.lba(), r.blocks(), (chunk, base) -> {
                    for (int off = 0; off < chunk.remaining(); off += bs) {
                        requireEqual(chunk.slice(off, bs), pattern.duplicate(), base + off);
                    }
                });
            }
        }
        return ScsiResult.good();
    }

    /**
     * Bytes of whole blocks the initiator actually sent, at most the CDB's transfer length: when
     * the fabric's expected length is shorter than the CDB asks, only what arrived is written and
     * the fabric reports the overflow residual (libiscsi iSCSIResiduals.Write*).
     */
    /** MISCOMPARE at {@code base} + the first differing index, when the two differ. */
    static void requireEqual(ByteBuffer medium, ByteBuffer expected, long base) throws ScsiException {
        int at = medium.mismatch(expected);
        if (at >= 0) {
            throw MediumReader.miscompare(base + at);
        }
    }
}
