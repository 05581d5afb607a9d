package io.xtarget.backend.rbd;

import static io.xtarget.backend.rbd.RbdStoreTest.direct;
import static io.xtarget.backend.rbd.RbdStoreTest.pattern;
import static io.xtarget.backend.rbd.RbdStoreTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.StoreFencedException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Started (asynchronous) writes against the gateways' fencing: a fenced gateway's started write
 * fails BLOCKLISTED, never lands and fences the store; after it recovers, the lock it believed it
 * held is gone, so it starts no write (the blocking path refuses them for the hold-off) even
 * when the lock is free for librbd to take by itself. Skipped without Ceph ({@link CephTestCluster}).
 */
class RbdStartedIoAdversaryTest {
    @Test
    void aRecoveredGatewayStartsNoWriteOnTheLockItHeldBeforeItWasFenced() throws Exception {
        try (TwoGateways pair = TwoGateways.open("started-fence")) {
            RbdStore a = pair.a();
            RbdStore b = pair.b();
            a.write(0, direct(pattern(1, 4096)), false); // a holds the lock
            CountDownLatch hung = new CountDownLatch(1);
            a.handoffForTests().stallForTests = hung;
            b.write(0, direct(pattern(2, 4096)), false); // breaks a's lock, a is blocklisted
            hung.countDown();
            a.handoffForTests().stallForTests = null;

            // a still believes it holds the lock: its started write reaches the OSD, which refuses it
            CompletableFuture<Void> late = a.startWrite(0, direct(pattern(3, 4096)), false);
            if (late != null) {
                assertThatThrownBy(() -> late.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(StoreFencedException.class,
                                e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.BLOCKLISTED));
                assertThat(a.fenced()).as("the started write's failure fenced the store").isTrue();
            }
            assertThat(TwoGateways.idleSoon(a)).isTrue();
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(2, 4096));

            a.recover(Duration.ofSeconds(30));
            assertThat(a.fenced()).isFalse();
            b.handoffForTests().giveLockUp(); // the lock is free: librbd would take it for any write of a
            assertThat(a.startWrite(0, direct(pattern(4, 4096)), false))
                    .as("a recovered gateway does not hold the lock: nothing starts during the hold-off").isNull();
            assertThatThrownBy(() -> a.write(0, direct(pattern(5, 4096)), false)) // the hold-off
                    .isInstanceOfSatisfying(StoreFencedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.LOCKED_ELSEWHERE));
            assertThat(read(b, 0, 4096)).as("nothing of a's landed").isEqualTo(pattern(2, 4096));
            assertThat(TwoGateways.idleSoon(a)).isTrue();
        }
    }
    /**
     * A release another gateway asked for waits for the started writes in flight; interrupted
     * there, it gives up the lock's use it took, or no write of this gateway would ever run again.
     */
    @Test
    void aReleaseInterruptedWhileStartedWritesAreInFlightLeavesNothingHeld() throws Exception {
        try (TwoGateways pair = TwoGateways.open("started-interrupt")) {
            RbdStore a = pair.a();
            a.write(0, direct(pattern(1, 4096)), false); // a holds the lock
            a.handoffForTests().start(); // gateway mode (holdHome did it already)
            RbdLockHandoff h = a.handoffForTests();
            RbdImage inFlight = h.tryEnterForWriteDetached(); // as a started write in flight holds it
            assertThat(inFlight).isNotNull();
            java.lang.reflect.Method release = RbdLockHandoff.class.getDeclaredMethod("releaseOnRequest");
            release.setAccessible(true);
            Thread releasing = Thread.ofPlatform().daemon().start(() -> {
                try {
                    release.invoke(h);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
            for (int i = 0; i < 500 && releasing.getState() != Thread.State.TIMED_WAITING; i++) {
                Thread.sleep(10); // until it waits for the write in flight
            }
            assertThat(releasing.getState()).isEqualTo(Thread.State.TIMED_WAITING);
            releasing.interrupt();
            releasing.join(10_000);
            assertThat(releasing.isAlive()).isFalse();
            h.exitWriteDetached(); // the write completes
            assertThat(TwoGateways.idleSoon(a)).as("nothing left held").isTrue();
            a.write(4096, direct(pattern(2, 4096)), false); // and writes still run
            assertThat(read(a, 4096, 4096)).isEqualTo(pattern(2, 4096));
        }
    }
    /** close() with started reads and writes in flight waits for every one: each completes, none fails. */
    @Test
    void closeWaitsForStartedIoInFlight() throws Exception {
        RbdStore s = RbdStore.open(CephTestCluster.newImage("started-close"), 512, 16L << 20, true);
        java.util.List<CompletableFuture<Void>> started = new java.util.ArrayList<>();
        java.util.List<java.nio.ByteBuffer> reads = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 64; i++) {
                CompletableFuture<Void> w = s.startWrite(i * 131072L, direct(pattern(i, 65536)), false);
                assertThat(w).isNotNull();
                started.add(w);
                java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocateDirect(65536);
                reads.add(dst);
                CompletableFuture<Void> r = s.startRead(i * 131072L + 65536, dst);
                assertThat(r).isNotNull();
                started.add(r);
            }
        } finally {
            s.close();
        }
        for (CompletableFuture<Void> f : started) {
            assertThat(f).as("completed by the time close returned").isCompleted();
            f.get(); // none failed
        }
        for (java.nio.ByteBuffer dst : reads) {
            assertThat(dst.remaining()).isZero();
        }
        assertThat(s.startRead(0, java.nio.ByteBuffer.allocateDirect(512))).isNull();
        assertThat(s.gateForTests().fenced()).isFalse();
    }
    /**
     * The lock lost without this gateway's knowing (here released behind the handoff's back):
     * librbd refuses a started write (EROFS, NOT READY); the next write must not be started on
     * the same stale belief again and again, but go the blocking way, which takes the lock.
     */
    @Test
    void aStartedWriteRefusedForTheLockIsNotStartedAgainOnTheSameBelief() throws Exception {
        try (TwoGateways pair = TwoGateways.open("started-lost")) {
            RbdStore a = pair.a();
            a.write(0, direct(pattern(1, 4096)), false); // a holds the lock
            RbdImage image = a.gateForTests().enter();
            try {
                RbdExclusiveLock.release(image); // lost, as far as librbd knows
            } finally {
                a.gateForTests().exit();
            }
            CompletableFuture<Void> first = a.startWrite(0, direct(pattern(2, 4096)), false);
            if (first != null) {
                try {
                    first.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(StoreFencedException.class);
                }
            }
            CompletableFuture<Void> again = a.startWrite(0, direct(pattern(3, 4096)), false);
            if (again != null) {
                again.get(30, TimeUnit.SECONDS); // it must not fail for the lock again
            } else {
                a.write(0, direct(pattern(3, 4096)), false);
            }
            assertThat(read(pair.b(), 0, 4096)).isEqualTo(pattern(3, 4096));
            assertThat(TwoGateways.idleSoon(a)).isTrue();
        }
    }
    /**
     * The lock librbd took by itself before gateway mode (a write before the first poll): once a
     * blocking write found it owned, writes start again instead of going the blocking way for ever.
     */
    @Test
    void aLockOwnedWithoutTheHandoffsKnowingLetsWritesStartOnceAWriteFoundItOwned() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("started-owned"), 512, 8L << 20, true)) {
            s.write(0, direct(pattern(1, 4096)), false); // librbd takes the free lock itself
            assertThat(s.holdHome()).isTrue(); // gateway mode from now on
            s.write(4096, direct(pattern(2, 4096)), false); // finds the lock owned
            CompletableFuture<Void> w = s.startWrite(8192, direct(pattern(3, 4096)), false);
            assertThat(w).as("the owner starts writes").isNotNull();
            w.get(30, TimeUnit.SECONDS);
            assertThat(read(s, 8192, 4096)).isEqualTo(pattern(3, 4096));
        }
    }
}
