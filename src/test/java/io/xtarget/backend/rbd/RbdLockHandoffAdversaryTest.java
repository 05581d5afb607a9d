package io.xtarget.backend.rbd;

import static io.xtarget.backend.rbd.RbdStoreTest.direct;
import static io.xtarget.backend.rbd.RbdStoreTest.pattern;
import static io.xtarget.backend.rbd.RbdStoreTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.StoreFencedException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * Adversarial cases of {@link RbdLockHandoff} and {@link RbdHome} with gateways in one JVM, each on
 * its own cluster connection (as {@link RbdLockHandoffTest}). Each test states the expected
 * behaviour; the ones that fail show a defect. Skipped without Ceph ({@link CephTestCluster}).
 */
class RbdLockHandoffAdversaryTest {
    private static RbdImageSpec other(RbdImageSpec spec, Path conf) {
        return spec.withCephConf(conf.getParent().resolve(".").resolve(conf.getFileName()).toString());
    }

    /**
     * A handoff-object watcher that does not acknowledge notifications, but is not the lock's holder:
     * e.g. the handoff channel of a gateway that was SIGKILLed and restarted (its old watch stays
     * for osd_client_watch_timeout, 30 s, and the channel's connection is never blocklisted), or a
     * third gateway that hangs. The holder itself answers at once and would release. Expected: the
     * live, answering holder hands the lock over and is not fenced. Observed: rados_notify2 returns
     * -ETIMEDOUT because <em>some</em> watcher did not ack, {@link RbdLockHandoff#ask} takes that as
     * "the holder did not answer", breaks the healthy holder's lock and blocklists it (and takes its
     * home lease).
     */
    @Test
    void aSilentBystanderWatcherGetsAHealthyAnsweringHolderFenced() throws Exception {
        healthyHolderKeepsWritingWhileTheOtherGatewayWritesOnce(true);
    }

    /** The same without the silent bystander: the control (holds up). */
    @Test
    void withoutABystanderTheHealthyHolderIsNotFenced() throws Exception {
        healthyHolderKeepsWritingWhileTheOtherGatewayWritesOnce(false);
    }

    private void healthyHolderKeepsWritingWhileTheOtherGatewayWritesOnce(boolean bystander) throws Exception {
        Path conf = CephTestCluster.conf();
        RbdImageSpec specA = new RbdImageSpec("rbd", CephTestCluster.imageName("bystander"), conf.toString(), null);
        CountDownLatch stale = new CountDownLatch(1);
        try (RbdStore a = RbdStore.open(specA, 512, 16L << 20, true);
                RbdStore b = RbdStore.open(other(specA, conf), 512, 0, false)) {
            assertThat(a.holdHome()).isTrue();
            assertThat(b.holdHome()).isFalse();
            a.write(0, direct(pattern(1, 512)), false); // a holds the lock
            // the lingering watch of a dead gateway's handoff channel: it never acknowledges
            RadosNotifyChannel dead = !bystander ? null : RadosNotifyChannel.open(specA, "xtarget.lock.", m -> {
                try {
                    stale.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                // a host keeps writing through a (its optimized path) while another writes once through b
                java.util.concurrent.atomic.AtomicReference<Throwable> aFailed = new java.util.concurrent.atomic.AtomicReference<>();
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                Thread writer = Thread.ofPlatform().start(() -> {
                    int i = 0;
                    while (!stop.get() && aFailed.get() == null) {
                        try {
                            a.write(4096 + 512L * (i % 8), direct(pattern(100 + i, 512)), false);
                            i++;
                        } catch (Throwable t) {
                            aFailed.set(t);
                        }
                    }
                });
                Thread.sleep(200);
                b.write(512, direct(pattern(2, 512)), false); // needs the lock: asks a, which answers
                Thread.sleep(3000);
                stop.set(true);
                writer.join();
                assertThat(aFailed.get()).as("a write through the healthy gateway a failed").isNull();
                assertThat(a.fenced()).as("a healthy holder that answered was fenced").isFalse();
                assertThat(read(a, 512, 512)).isEqualTo(pattern(2, 512));
                assertThat(a.holdHome()).as("the home moved away from a healthy gateway").isTrue();
            } finally {
                stale.countDown();
                if (dead != null) {
                    dead.close();
                }
            }
        } finally {
            stale.countDown();
        }
    }

    /**
     * An image without the exclusive-lock feature: only the home writes. The home is a 10 s lease,
     * but {@link RbdHome#isHome} is the result of the last poll, with no notion of its age. A home
     * gateway that is paused (SIGSTOP, a long GC, a VM stall) for longer than the lease loses it to
     * the other gateway, which writes newer data; when the paused one resumes, writes it handles
     * before its next poll still see isHome() == true and land over the newer data. Expected: a
     * gateway whose lease may have run out (its last successful renewal is older than the lease)
     * refuses writes until it renewed. Observed: the stale write succeeds and overwrites the
     * new home's data (two writers at once, no fencing).
     */
    @Test
    void aPausedHomeOfALocklessImageWritesOverTheNewHomesData() throws Exception {
        Path conf = CephTestCluster.conf();
        String name = CephTestCluster.imageName("nolockpause");
        Process p = new ProcessBuilder("rbd", "-c", conf.toString(), "create", "--image-feature", "layering",
                "--size", "16M", "rbd/" + name).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
        RbdImageSpec spec = new RbdImageSpec("rbd", name, conf.toString(), null);
        try (RbdStore a = RbdStore.open(spec, 512, 0, false); RbdStore b = RbdStore.open(other(spec, conf), 512, 0, false)) {
            assertThat(a.holdHome()).isTrue();
            assertThat(b.holdHome()).isFalse();
            a.write(0, direct(pattern(1, 512)), false);
            // a is "paused": it does not poll; b polls every 250 ms until a's lease ran out
            long deadline = System.nanoTime() + 20_000_000_000L;
            boolean bHome = false;
            while (!bHome && System.nanoTime() < deadline) {
                Thread.sleep(250);
                bHome = b.holdHome();
            }
            assertThat(bHome).as("b became the home after a's lease ran out").isTrue();
            b.write(0, direct(pattern(2, 512)), false); // the newer data, through the new home
            // a resumes and handles a write the host queued before it failed over
            try {
                a.write(0, direct(pattern(3, 512)), false);
            } catch (StoreFencedException expected) {
                // the right answer: NOT READY
            }
            assertThat(read(b, 0, 512)).as("a stale write of the paused old home landed over the new home's data")
                    .isEqualTo(pattern(2, 512));
        }
    }
}
