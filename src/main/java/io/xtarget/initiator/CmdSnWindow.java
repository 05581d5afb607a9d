package io.xtarget.initiator;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The command window (RFC 7143 4.2.2.1): a non-immediate command may be sent only while its CmdSN
 * lies in [ExpCmdSN, MaxCmdSN]. The reader thread widens the window from every response; senders
 * wait while it is closed. The lock is never held during I/O, so the reader never blocks on a sender.
 */
final class CmdSnWindow {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int next;
    private int expCmdSn;
    private int maxCmdSn;
    private Throwable closedBy;

    CmdSnWindow(int next, int expCmdSn, int maxCmdSn) {
        this.next = next;
        this.expCmdSn = expCmdSn;
        this.maxCmdSn = maxCmdSn;
    }

    /**
     * Takes ExpCmdSN/MaxCmdSN from a target PDU. RFC 7143 4.2.2.1: ignore them when MaxCmdSN &lt;
     * ExpCmdSN - 1 (an invalid window); otherwise each only moves forward.
     */
    void update(int exp, int max) {
        if (SerialNumber.lessThan(max, exp - 1)) {
            return;
        }
        lock.lock();
        try {
            boolean moved = false;
            if (SerialNumber.lessThan(expCmdSn, exp)) {
                expCmdSn = exp;
                moved = true;
            }
            if (SerialNumber.lessThan(maxCmdSn, max)) {
                maxCmdSn = max;
                moved = true;
            }
            if (moved) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The CmdSN an immediate PDU carries: the next one, not advanced (RFC 7143 4.2.2.1). */
    int current() {
        lock.lock();
        try {
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** Takes the next CmdSN if the window is open, else returns empty without waiting. */
    java.util.OptionalInt tryAcquire() throws IOException {
        lock.lock();
        try {
            if (closedBy != null) {
                throw new SessionClosedException("session is closed", closedBy);
            }
            if (!SerialNumber.lessOrEqual(next, maxCmdSn)) {
                return java.util.OptionalInt.empty();
            }
            return java.util.OptionalInt.of(next++);
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the window is open (or the deadline passes, or the session closes). */
    void awaitOpen(long deadlineNanos) throws IOException {
        lock.lock();
        try {
            while (true) {
                if (closedBy != null) {
                    throw new SessionClosedException("session is closed", closedBy);
                }
                if (SerialNumber.lessOrEqual(next, maxCmdSn)) {
                    return;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    throw new IscsiTimeoutException("command window closed (CmdSN " + Integer.toUnsignedString(next)
                            + ", MaxCmdSN " + Integer.toUnsignedString(maxCmdSn) + ") for too long");
                }
                changed.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for the command window");
        } finally {
            lock.unlock();
        }
    }

    void close(Throwable cause) {
        lock.lock();
        try {
            if (closedBy == null) {
                closedBy = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
