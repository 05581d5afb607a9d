package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;

class DetachedHoldsTest {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final DetachedHolds holds = new DetachedHolds(lock);
    static final java.util.concurrent.Executor OWN_THREAD = r -> Thread.ofPlatform().daemon().start(r);

    @Test
    void aHoldEndsOnAnotherThreadAndTheExclusiveHolderWaitsForIt() throws Exception {
        assertThat(holds.tryAcquire()).isTrue();
        assertThat(lock.getReadLockCount()).as("the read lock itself is not kept").isZero();
        // each step on a thread of its own (the common pool may have a single thread)
        CompletableFuture<Void> exclusive = CompletableFuture.runAsync(() -> {
            lock.writeLock().lock();
            try {
                holds.awaitNone();
            } finally {
                lock.writeLock().unlock();
            }
        }, OWN_THREAD);
        Thread.sleep(100);
        assertThat(exclusive).isNotDone();
        CompletableFuture.runAsync(holds::release, OWN_THREAD).get();
        exclusive.get(5, TimeUnit.SECONDS);
        assertThat(holds.held()).isZero();
    }

    @Test
    void noHoldStartsWhileTheLockIsHeldExclusively() throws Exception {
        lock.writeLock().lock();
        try {
            assertThat(CompletableFuture.supplyAsync(holds::tryAcquire, OWN_THREAD).get()).isFalse();
            assertThat(holds.held()).isZero();
        } finally {
            lock.writeLock().unlock();
        }
        assertThat(holds.tryAcquire()).isTrue();
        holds.release();
    }

    @Test
    void aBoundedWaitGivesUpAndReleasingTooOftenIsABug() throws Exception {
        assertThat(holds.tryAcquire()).isTrue();
        assertThat(holds.awaitNone(50, TimeUnit.MILLISECONDS)).isFalse();
        holds.release();
        assertThat(holds.awaitNone(50, TimeUnit.MILLISECONDS)).isTrue();
        assertThatThrownBy(holds::release).isInstanceOf(IllegalStateException.class);
    }
}
