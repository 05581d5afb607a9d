package io.xtarget.backend;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.BooleanSupplier;

/**
 * Shared holds of a {@link ReadWriteLock} that outlive the thread that took them: an asynchronous
 * operation, started on one thread and completed on another, holds the lock shared from start to
 * completion, which a {@code ReentrantReadWriteLock}'s thread-owned read hold cannot do.
 *
 * <p>The protocol: {@link #tryAcquire} takes the read lock without waiting, counts one detached
 * hold and lets the read lock go again; {@link #release} (any thread) ends the hold. Whoever takes
 * the write lock and needs every shared holder gone calls {@link #awaitNone} while holding it: no
 * new detached hold can start then (they need the read lock), and those in flight end by
 * themselves. A detached hold never waits, so a thread that must not block (a connection's
 * receiving thread) can take one; when it cannot ({@code false}), the caller takes the ordinary
 * blocking path instead.
 */
public final class DetachedHolds {
    private final ReadWriteLock lock;
    private int holds;

    public DetachedHolds(ReadWriteLock lock) {
        this.lock = lock;
    }

    /**
     * One detached shared hold, when the read lock is free to take at once (not held or wanted
     * exclusively by another thread).
     *
     * @return false: nothing is held
     */
    public boolean tryAcquire() {
        return tryAcquire(() -> true);
    }

    /**
     * As {@link #tryAcquire()}, when {@code admit}, asked with the read lock held (so state that
     * changes only under the write lock is stable), also says yes.
     *
     * @return false: nothing is held
     */
    public boolean tryAcquire(BooleanSupplier admit) {
        if (!lock.readLock().tryLock()) {
            return false;
        }
        try {
            if (!admit.getAsBoolean()) {
                return false;
            }
            synchronized (this) {
                holds++;
            }
            return true;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Ends one detached hold (any thread). */
    public synchronized void release() {
        if (holds <= 0) {
            throw new IllegalStateException("no detached hold to release");
        }
        if (--holds == 0) {
            notifyAll();
        }
    }

    /** Waits, uninterruptibly, until no detached hold is left; call with the write lock held. */
    public synchronized void awaitNone() {
        boolean interrupted = false;
        while (holds > 0) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code timeout} until no detached hold is left; call with the write lock held.
     *
     * @return false when holds were still left at the deadline
     */
    public synchronized boolean awaitNone(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (holds > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Detached holds not yet released (tests, diagnostics). */
    public synchronized int held() {
        return holds;
    }
}
