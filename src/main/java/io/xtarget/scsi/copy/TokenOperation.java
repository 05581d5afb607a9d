package io.xtarget.scsi.copy;

import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One POPULATE TOKEN or WRITE USING TOKEN as RECEIVE ROD TOKEN INFORMATION and RECEIVE COPY
 * STATUS(LID4) see it (SPC-4 6.18, 6.25): its list identifier, progress in logical blocks while it
 * runs, and its outcome. Written by the thread that runs it, read by any thread.
 */
final class TokenOperation {
    /** COPY OPERATION STATUS codes (SPC-4 table "COPY OPERATION STATUS field"). */
    static final int COMPLETED = 0x01;
    static final int COMPLETED_WITH_ERRORS = 0x02;
    static final int COMPLETED_PARTIAL_ROD = 0x03;
    static final int IN_PROGRESS_FOREGROUND = 0x11;
    static final int IN_PROGRESS_BACKGROUND = 0x12;
    static final int TERMINATED = 0x60;

    private final int serviceAction;
    private final long listId;
    private final boolean immediate;
    private final AtomicLong blocks = new AtomicLong();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean abortRequested;
    private volatile int status;
    private volatile ScsiStatus completionStatus;
    private volatile Sense sense;
    private volatile byte[] token;
    private volatile long finishedAtNanos;

    TokenOperation(int serviceAction, long listId, boolean immediate) {
        this.serviceAction = serviceAction;
        this.listId = listId;
        this.immediate = immediate;
        this.status = immediate ? IN_PROGRESS_BACKGROUND : IN_PROGRESS_FOREGROUND;
    }

    int serviceAction() {
        return serviceAction;
    }

    long listId() {
        return listId;
    }

    boolean immediate() {
        return immediate;
    }

    boolean running() {
        return done.getCount() > 0;
    }

    /** COPY OPERATION STATUS now. */
    int status() {
        return status;
    }

    /** Logical blocks of the addressed LU processed so far (TRANSFER COUNT, units F1h). */
    long blocks() {
        return blocks.get();
    }

    void blocks(long n) {
        blocks.set(n);
    }

    /** The status the command ended with (for the EXTENDED COPY COMPLETION STATUS field), GOOD while running. */
    ScsiStatus completionStatus() {
        return completionStatus == null ? ScsiStatus.GOOD : completionStatus;
    }

    /** Sense data of a failure, or null. */
    Sense sense() {
        return sense;
    }

    /** The ROD token a POPULATE TOKEN created, or null. */
    byte[] token() {
        return token;
    }

    long finishedAtNanos() {
        return finishedAtNanos;
    }

    /** COPY OPERATION ABORT asks the copy to stop at its next slice. */
    void requestAbort() {
        abortRequested = true;
    }

    boolean abortRequested() {
        return abortRequested;
    }

    void succeed(int finalStatus, byte[] createdToken, long nowNanos) {
        token = createdToken;
        finish(finalStatus, ScsiStatus.GOOD, null, nowNanos);
    }

    void fail(ScsiStatus s, Sense why, long nowNanos) {
        finish(abortRequested ? TERMINATED : COMPLETED_WITH_ERRORS, s, why, nowNanos);
    }

    private void finish(int finalStatus, ScsiStatus s, Sense why, long nowNanos) {
        completionStatus = s;
        sense = why;
        finishedAtNanos = nowNanos;
        status = finalStatus;
        done.countDown();
    }

    /** Waits until the operation has ended, at most {@code millis}; true when it has. */
    boolean awaitEnd(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }
}
