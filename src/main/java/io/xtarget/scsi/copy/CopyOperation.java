package io.xtarget.scsi.copy;

import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One EXTENDED COPY as RECEIVE COPY RESULTS sees it: progress while it runs, outcome once done.
 * Written by the copying thread, read by any thread serving RECEIVE COPY RESULTS.
 */
final class CopyOperation {
    enum State {
        RUNNING, SUCCEEDED, FAILED
    }

    private final int listId;
    private final int listIdUsage;
    private final AtomicInteger segmentsProcessed = new AtomicInteger();
    private final AtomicLong bytesTransferred = new AtomicLong();
    private volatile State state = State.RUNNING;
    private volatile ScsiStatus failureStatus;
    private volatile Sense failureSense;
    private volatile long finishedAtNanos;

    CopyOperation(int listId, int listIdUsage) {
        this.listId = listId;
        this.listIdUsage = listIdUsage;
    }

    int listId() {
        return listId;
    }

    int listIdUsage() {
        return listIdUsage;
    }

    State state() {
        return state;
    }

    int segmentsProcessed() {
        return segmentsProcessed.get();
    }

    long bytesTransferred() {
        return bytesTransferred.get();
    }

    void segmentDone() {
        segmentsProcessed.incrementAndGet();
    }

    void addBytes(long n) {
        bytesTransferred.addAndGet(n);
    }

    /** The status the EXTENDED COPY ended with (CHECK CONDITION, RESERVATION CONFLICT...), or null. */
    ScsiStatus failureStatus() {
        return failureStatus;
    }

    /** The sense data of the failure, or null (also null for RESERVATION CONFLICT). */
    Sense failureSense() {
        return failureSense;
    }

    long finishedAtNanos() {
        return finishedAtNanos;
    }

    void succeed(long nowNanos) {
        finishedAtNanos = nowNanos;
        state = State.SUCCEEDED;
    }

    void fail(ScsiStatus status, Sense sense, long nowNanos) {
        failureStatus = status;
        failureSense = sense;
        finishedAtNanos = nowNanos;
        state = State.FAILED;
    }
}
