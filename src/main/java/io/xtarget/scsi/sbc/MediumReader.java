package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a range of the medium in bounded chunks: medium verification (BYTCHK=0), the
 * one-block pattern compare of VERIFY BYTCHK=11b and PRE-FETCH. One pooled buffer per command,
 * whatever the range size, and an abort check between chunks.
 */
final class MediumReader {
    /** Largest chunk read at once. */
    static final int CHUNK_BYTES = 1 << 20;

    private MediumReader() {}

    /** Receives each chunk read; {@code base} is the byte offset of the chunk within the range. */
    @FunctionalInterface
    interface ChunkVisitor {
        void visit(ByteBuffer chunk, long base) throws ScsiException;
    }

    /** Reads [lba, lba+blocks) chunk by chunk; a failing read becomes MEDIUM ERROR in the core. */
    static void scan(ScsiTask task, LogicalUnit lu, long lba, long blocks, ChunkVisitor visitor)
            throws ScsiException, IOException {
        if (blocks == 0) {
            return;
        }
        int bs = lu.blockSize();
        int chunkBlocks = Math.max(1, CHUNK_BYTES / bs);
        ByteBuffer buf = task.allocate((int) Math.min(blocks, chunkBlocks) * bs);
        long done = 0;
        while (done < blocks) {
            if (task.isAborted()) {
                throw new ScsiException(ScsiStatus.TASK_ABORTED, null);
            }
            int n = (int) Math.min(blocks - done, chunkBlocks);
            buf.clear().limit(n * bs);
            lu.read(lba + done, buf);
            buf.flip();
            visitor.visit(buf, done * bs);
            done += n;
        }
    }

    /** MISCOMPARE with the INFORMATION field set to the offset of the first differing byte (SBC-3 5.2, 5.30). */
    static ScsiException miscompare(long offset) {
        return new ScsiException(Sense.miscompare().withInformation(offset));
    }
}
