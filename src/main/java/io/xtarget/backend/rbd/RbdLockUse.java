package io.xtarget.backend.rbd;

import io.xtarget.backend.DetachedHolds;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The writes that use a gateway's hold of an image's exclusive lock, and the gateway's belief
 * that it holds the lock ({@link RbdLockHandoff}). A blocking write holds the use shared from
 * before its lock check to its completion ({@link #enter}); a started write holds it from
 * submission to librbd's completion, on any thread ({@link #tryEnterDetached}), and starts only
 * while the lock is believed held. Whoever gives the lock up {@linkplain #drain drains} the use
 * first: no write starts then, and every write in flight is done.
 */
final class RbdLockUse {
    private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
    private final DetachedHolds detached = new DetachedHolds(use);
    /** Set when this gateway took the lock or the OSD confirmed it; cleared when it is given up or lost. */
    private volatile boolean holding;

    /** A blocking write's hold, until {@link #exit}; waits while a drain runs. */
    void enter() {
        use.readLock().lock();
    }

    void exit() {
        use.readLock().unlock();
    }

    /**
     * A started write's hold, ended by {@link #exitDetached} on any thread; false, with nothing
     * held, unless it can be had at once: no drain runs and, when {@code needLock}, the lock is
     * believed held.
     */
    boolean tryEnterDetached(boolean needLock) {
        return detached.tryAcquire(() -> !needLock || holding);
    }

    void exitDetached() {
        detached.release();
    }

    /**
     * Takes the use exclusively within {@code wait}, until {@link #undrain}: no write starts, and
     * every write in flight, blocking or started, is done.
     *
     * @return false, with nothing held, when writes kept it longer or the thread was interrupted
     */
    boolean drain(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            if (!use.writeLock().tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (detached.awaitNone(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        use.writeLock().unlock();
        return false;
    }

    /** As {@link #drain(Duration)}, waiting as long as the writes take. */
    void drain() {
        use.writeLock().lock();
        detached.awaitNone();
    }

    void undrain() {
        use.writeLock().unlock();
    }

    boolean holding() {
        return holding;
    }

    /** The lock is here: taken by this gateway, or confirmed by the OSD while a write held the use. */
    void held() {
        holding = true;
    }

    /** The lock is not here (given up, refused by librbd, or the image reopened after fencing). */
    void lost() {
        holding = false;
    }

    /** Whether no write holds the use and no drain runs (tests: nothing leaked). */
    boolean idle() {
        return use.getReadLockCount() == 0 && !use.isWriteLocked() && detached.held() == 0;
    }
}
