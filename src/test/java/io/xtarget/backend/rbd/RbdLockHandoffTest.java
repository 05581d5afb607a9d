package io.xtarget.backend.rbd;

import static io.xtarget.backend.rbd.RbdStoreTest.direct;
import static io.xtarget.backend.rbd.RbdStoreTest.pattern;
import static io.xtarget.backend.rbd.RbdStoreTest.read;
import static io.xtarget.testing.Bytes.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.StoreFencedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Two gateways of one image, each with its own cluster connection (the same ceph.conf named by
 * two paths, so {@link RbdCluster} does not share one), as {@link RbdLockHandoff} shares it: the
 * home is stable while writes through either gateway hand the exclusive lock over cooperatively
 * (nobody fenced); a holder that does not answer is broken and blocklisted, its late write fails
 * with {@link StoreFencedException} (BLOCKLISTED) and does not land, and it recovers on a new
 * connection refusing writes for the hold-off. Skipped without Ceph ({@link CephTestCluster}).
 */
class RbdLockHandoffTest {
    @Test
    void writesThroughBothGatewaysHandTheLockOverAndNobodyIsFenced() throws Exception {
        try (TwoGateways pair = TwoGateways.open("handoff")) {
            RbdStore a = pair.a();
            RbdStore b = pair.b();
            a.write(0, direct(pattern(1, 4096)), false);
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(1, 4096)); // the non-home reads without the lock
            int rounds = 20;
            long t0 = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                RbdStore s = i % 2 == 0 ? b : a;
                s.write(512L * i, direct(pattern(10 + i, 512)), false);
                assertThat(s.compareAndWrite(512L * i, direct(pattern(10 + i, 512)), direct(pattern(40 + i, 512)),
                        false)).isEqualTo(io.xtarget.backend.Store.COMPARE_MATCHED);
            }
            System.out.printf("RBD lock handoff between two gateways: %.1f ms per write after a write elsewhere%n",
                    (System.nanoTime() - t0) / 1e6 / rounds);
            assertThat(a.fenced()).isFalse();
            assertThat(b.fenced()).isFalse();
            for (int i = 0; i < rounds; i++) {
                assertThat(read(i % 2 == 0 ? a : b, 512L * i, 512)).isEqualTo(pattern(40 + i, 512));
            }
            assertThat(a.holdHome()).as("the home stays where it was").isTrue();
            assertThat(b.holdHome()).isFalse();
            b.flush();
            a.flush();
        }
    }

    /**
     * A started (asynchronous) write never waits for the lock: only the gateway holding it starts
     * one; the other declines (the fabric then writes the blocking way, which asks for the lock),
     * and a started write in flight holds the lock here until it completes.
     */
    @Test
    void onlyTheHolderStartsWritesAndAHandoffWaitsForThemInFlight() throws Exception {
        try (TwoGateways pair = TwoGateways.open("started")) {
            RbdStore a = pair.a();
            RbdStore b = pair.b();
            a.write(0, direct(pattern(1, 4096)), false);
            assertThat(b.startWrite(0, direct(pattern(2, 4096)), false)).as("b does not hold the lock").isNull();
            java.util.concurrent.CompletableFuture<Void> started = a.startWrite(4096, direct(pattern(3, 4096)), false);
            assertThat(started).as("a holds it").isNotNull();
            b.write(0, direct(pattern(2, 4096)), false); // asks a, which gives it up once its write is done
            assertThat(started).isCompleted();
            assertThat(a.startWrite(0, direct(pattern(4, 4096)), false)).as("a gave the lock up").isNull();
            java.util.concurrent.CompletableFuture<Void> byB = b.startWrite(8192, direct(pattern(5, 4096)), false);
            assertThat(byB).isNotNull();
            byB.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(read(a, 0, 12288)).isEqualTo(concat(pattern(2, 4096), pattern(3, 4096), pattern(5, 4096)));
            assertThat(TwoGateways.idleSoon(a)).isTrue();
            assertThat(TwoGateways.idleSoon(b)).isTrue();
        }
    }


    @Test
    void aHolderThatDoesNotAnswerIsFencedAndItsLateWriteNeverLands() throws Exception {
        try (TwoGateways pair = TwoGateways.open("fence")) {
            RbdStore a = pair.a();
            RbdStore b = pair.b();
            a.write(0, direct(pattern(1, 4096)), false);
            CountDownLatch hung = new CountDownLatch(1);
            a.handoffForTests().stallForTests = hung;
            long t0 = System.nanoTime();
            b.write(0, direct(pattern(2, 4096)), false);
            System.out.printf("RBD takeover of a silent holder (ask, time out, break + blocklist + acquire): %.0f ms%n",
                    (System.nanoTime() - t0) / 1e6);
            hung.countDown();
            a.handoffForTests().stallForTests = null;
            assertThat(b.holdHome()).as("the gateway that took the lock took the home too").isTrue();

            // the old holder still believes it holds the lock: its write reaches the OSD, which refuses it
            assertThatThrownBy(() -> a.write(0, direct(pattern(3, 4096)), false))
                    .isInstanceOfSatisfying(StoreFencedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.BLOCKLISTED));
            assertThat(a.fenced()).isTrue();
            assertThat(TwoGateways.idleSoon(a)).as("a failed write leaves nothing held").isTrue();
            assertThatThrownBy(() -> read(a, 0, 512)).isInstanceOf(StoreFencedException.class); // at once, until recovered
            assertThat(a.holdHome()).isFalse();
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(2, 4096));

            a.recover(Duration.ofMillis(1500));
            assertThat(a.fenced()).isFalse();
            assertThat(a.holdHome()).isFalse(); // b is the home
            assertThat(read(a, 0, 4096)).isEqualTo(pattern(2, 4096));
            assertThatThrownBy(() -> a.write(0, direct(pattern(4, 4096)), false)) // the hold-off
                    .isInstanceOfSatisfying(StoreFencedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.LOCKED_ELSEWHERE));
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(2, 4096));
            assertThat(TwoGateways.idleSoon(a)).isTrue();
            Thread.sleep(1600);
            a.write(0, direct(pattern(5, 4096)), false); // after it, a borrows the lock as any gateway
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(5, 4096));
            assertThat(b.fenced()).isFalse();
            assertThat(b.holdHome()).isTrue();
        }
    }

    /**
     * A holder that no longer watches the image (dead: its watch timed out; here it is blocklisted
     * from outside, which ends its watch at once) does not keep the lock: the home's poll takes it,
     * as librbd's own acquire would after the watch timeout.
     */
    @Test
    void theHomeTakesTheLockOfAHolderThatNoLongerWatchesTheImage() throws Exception {
        try (TwoGateways pair = TwoGateways.open("dead")) {
            RbdStore a = pair.a();
            RbdStore b = pair.b();
            Path conf = pair.conf();
            b.write(0, direct(pattern(6, 512)), false); // b holds the lock now, a stays home
            RbdImage aImage = a.gateForTests().enter();
            List<String> owners;
            try {
                owners = aImage.lockOwners();
                assertThat(aImage.watcherAddresses()).containsAll(owners).hasSize(2);
            } finally {
                a.gateForTests().exit();
            }
            Process p = new ProcessBuilder("ceph", "-c", conf.toString(), "osd", "blocklist", "add", owners.getFirst())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
            boolean took = false;
            for (int i = 0; i < 100 && !took; i++) { // until the OSD dropped the blocklisted watch
                assertThat(a.holdHome()).isTrue();
                RbdImage image = a.gateForTests().enter();
                try {
                    took = image.isExclusiveLockOwner();
                } finally {
                    a.gateForTests().exit();
                }
                if (!took) {
                    Thread.sleep(100);
                }
            }
            assertThat(took).isTrue();
            a.write(0, direct(pattern(7, 512)), false);
            assertThat(read(a, 0, 512)).isEqualTo(pattern(7, 512));
        }
    }

    /** SET TARGET PORT GROUPS moves the home there and back; each home keeps it at its next polls. */
    @Test
    void anExplicitReleaseAndClaimMoveTheHomeForGood() throws Exception {
        try (TwoGateways pair = TwoGateways.open("claim")) {
            RbdStore a = pair.a();
            RbdStore b = pair.b();
            a.releaseHome();
            assertThat(a.holdHome()).isFalse();
            assertThat(b.holdHome()).isTrue();
            assertThat(b.holdHome()).isTrue();
            a.claimHome();
            for (int i = 0; i < 3; i++) {
                assertThat(a.holdHome()).as("a after its claim, poll " + i).isTrue();
                assertThat(b.holdHome()).as("b after a's claim, poll " + i).isFalse();
            }
            a.write(0, direct(pattern(3, 512)), false);
            b.write(512, direct(pattern(4, 512)), false);
            assertThat(a.holdHome()).isTrue();
        }
    }
}
