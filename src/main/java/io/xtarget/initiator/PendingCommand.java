package io.xtarget.initiator;

import io.xtarget.iscsi.pdu.R2t;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One SCSI command in flight: where its Data-In lands, what its Data-Out is, and the R2Ts still to
 * answer. Data-In fields are touched only by the reader thread.
 */
final class PendingCommand {
    final int itt;
    final int lun;
    /** The caller's Data-Out bytes (a private duplicate, position 0), or null. */
    final ByteBuffer dataOut;
    /** Where Data-In lands by BufferOffset, or null for commands without Data-In. */
    final ByteBuffer dataIn;
    final CompletableFuture<CommandResult> future = new CompletableFuture<>();
    /** Held while unsolicited data goes out, so R2T answers follow it (DataSequenceInOrder). */
    final ReentrantLock dataLock = new ReentrantLock();
    private final ArrayDeque<R2t> r2ts = new ArrayDeque<>();
    private boolean draining;

    volatile boolean sent;
    volatile int cmdSn;
    /** Highest BufferOffset + length of Data-In seen; reader thread only. */
    int receivedEnd;

    PendingCommand(int itt, int lun, ByteBuffer dataOut, int dataInLength) {
        this.itt = itt;
        this.lun = lun;
        this.dataOut = dataOut;
        this.dataIn = dataInLength > 0 ? ByteBuffer.allocate(dataInLength) : null;
    }

    int dataOutLength() {
        return dataOut == null ? 0 : dataOut.remaining();
    }

    /** Queues an R2T; true when the caller must start a drainer. */
    synchronized boolean offer(R2t r2t) {
        r2ts.add(r2t);
        if (draining) {
            return false;
        }
        draining = true;
        return true;
    }

    /** The next R2T to answer, or null (and the drainer stops). */
    synchronized R2t poll() {
        R2t r = r2ts.poll();
        if (r == null) {
            draining = false;
        }
        return r;
    }
}
