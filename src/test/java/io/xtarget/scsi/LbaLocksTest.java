package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LbaLocksTest {
    /** Each step on a thread of its own (the common pool may have a single thread). */
    static final java.util.concurrent.Executor OWN_THREAD = r -> Thread.ofPlatform().daemon().start(r);

    @Test
    void masksCoverEveryRegionOfTheRange() {
        assertThat(LbaLocks.mask(0, 1)).isEqualTo(1L);
        assertThat(LbaLocks.mask(0, 0)).isEqualTo(1L);
        assertThat(LbaLocks.mask(2047, 2)).isEqualTo(0b11L);
        assertThat(LbaLocks.mask(2048 * 63, 2048 + 1)).isEqualTo(Long.MIN_VALUE | 1L); // wraps to stripe 0
        assertThat(LbaLocks.mask(5, 2048L * 64)).isEqualTo(-1L);
    }

    @Test
    void exclusiveOnOneStripeLeavesTheOthersFree() throws Exception {
        LbaLocks locks = new LbaLocks();
        try (LbaLocks.Held x = locks.exclusive(0, 1)) {
            boolean other = CompletableFuture.supplyAsync(() -> {
                try (LbaLocks.Held h = locks.exclusive(4096, 1)) {
                    return true;
                }
            }).get();
            assertThat(other).isTrue();
        }
        try (LbaLocks.Held a = locks.shared(0, 1); LbaLocks.Held b = locks.shared(0, 1)) {
            assertThat(a).isNotSameAs(b); // shared holders coexist
        }
        try (LbaLocks.Held x = locks.exclusive(0, 1)) {
            assertThat(x).isNotNull(); // everything was released
        }
    }

    @Test
    void detachedSharedHoldsEndOnAnyThreadAndExclusiveWaitsForThem() throws Exception {
        LbaLocks locks = new LbaLocks();
        LbaLocks.Held started = locks.tryShared(0, 4096); // two stripes, as an asynchronous read would
        assertThat(started).isNotNull();
        CompletableFuture<Boolean> exclusive = CompletableFuture.supplyAsync(() -> {
            try (LbaLocks.Held x = locks.exclusive(2048, 1)) {
                return true;
            }
        }, OWN_THREAD);
        Thread.sleep(100);
        assertThat(exclusive).as("waits for the I/O in flight").isNotDone();
        CompletableFuture.runAsync(started::close, OWN_THREAD).get(); // the completion, on another thread
        assertThat(exclusive.get(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void detachedSharedHoldIsRefusedWhileAStripeIsHeldExclusively() throws Exception {
        LbaLocks locks = new LbaLocks();
        try (LbaLocks.Held x = locks.exclusive(4096, 1)) {
            LbaLocks.Held other = CompletableFuture.supplyAsync(() -> locks.tryShared(4096 - 1, 2), OWN_THREAD).get();
            assertThat(other).as("never waits: the caller goes the blocking way").isNull();
            LbaLocks.Held free = CompletableFuture.supplyAsync(() -> locks.tryShared(0, 1), OWN_THREAD).get();
            assertThat(free).as("another stripe").isNotNull();
            free.close();
        }
        LbaLocks.Held again = locks.tryShared(4096 - 1, 2);
        assertThat(again).as("nothing left held by the refused attempt").isNotNull();
        again.close();
        try (LbaLocks.Held x = locks.exclusive(0, 2048L * 64)) {
            assertThat(x).isNotNull();
        }
    }
}
