package io.xtarget.backend.rbd;

import static io.xtarget.backend.rbd.RbdStoreTest.direct;
import static io.xtarget.backend.rbd.RbdStoreTest.pattern;
import static io.xtarget.backend.rbd.RbdStoreTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.StoreFencedException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two gateways of one image, each with its own cluster connection (the same ceph.conf named by
 * two paths, so {@link RbdCluster} does not share one): the owner holds the exclusive lock; the
 * other takes it over with {@link RbdStore#takeOver}, which blocklists the owner, whose late write
 * then fails with {@link StoreFencedException} (BLOCKLISTED) and does not land; the fenced store
 * recovers on a new connection as a non-owner. Skipped without Ceph ({@link CephTestCluster}).
 */
class RbdTakeoverTest {
    @Test
    void takingOverFencesTheOwnerWhoseLateWriteNeverLands() throws Exception {
        Path conf = CephTestCluster.conf();
        RbdImageSpec specA = new RbdImageSpec("rbd", CephTestCluster.imageName("fence"), conf.toString(), null);
        RbdImageSpec specB = specA.withCephConf(conf.getParent().resolve(".").resolve(conf.getFileName()).toString());
        try (RbdStore a = RbdStore.open(specA, 512, 16L << 20, true);
                RbdStore b = RbdStore.open(specB, 512, 0, false)) {
            assertThat(a.holdExclusiveLock()).isTrue();
            assertThat(b.holdExclusiveLock()).isFalse();
            a.write(0, direct(pattern(1, 4096)), false);
            assertThatThrownBy(() -> b.write(0, direct(pattern(2, 4096)), false))
                    .isInstanceOfSatisfying(StoreFencedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.LOCKED_ELSEWHERE));
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(1, 4096)); // the non-owner reads

            long t0 = System.nanoTime();
            List<String> former = b.takeOver();
            System.out.printf("RBD takeover (break + blocklist + acquire): %.0f ms, former owners %s%n",
                    (System.nanoTime() - t0) / 1e6, former);
            assertThat(former).hasSize(1);
            assertThat(b.holdExclusiveLock()).isTrue();
            b.write(0, direct(pattern(2, 4096)), false);

            // the old owner still believes it owns the image: its write reaches the OSD, which refuses it
            assertThatThrownBy(() -> a.write(0, direct(pattern(3, 4096)), false))
                    .isInstanceOfSatisfying(StoreFencedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.BLOCKLISTED));
            assertThat(a.fenced()).isTrue();
            assertThatThrownBy(() -> read(a, 0, 512)).isInstanceOf(StoreFencedException.class); // at once, until recovered
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(2, 4096));

            a.recover();
            assertThat(a.fenced()).isFalse();
            assertThat(a.holdExclusiveLock()).isFalse(); // b keeps it
            assertThat(read(a, 0, 4096)).isEqualTo(pattern(2, 4096));
            assertThatThrownBy(() -> a.write(0, direct(pattern(4, 4096)), false))
                    .isInstanceOfSatisfying(StoreFencedException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreFencedException.Reason.LOCKED_ELSEWHERE));
            assertThat(b.holdExclusiveLock()).isTrue();
            assertThat(read(b, 0, 4096)).isEqualTo(pattern(2, 4096));
        }
    }

    /**
     * An owner that no longer watches the image (dead: its watch timed out; here it is blocklisted
     * from outside, which ends its watch at once) does not keep the lock: the other gateway's lock
     * check takes it over, as librbd's own acquire would after the watch timeout.
     */
    @Test
    void aLockCheckTakesTheLockOfAnOwnerThatNoLongerWatchesTheImage() throws Exception {
        Path conf = CephTestCluster.conf();
        RbdImageSpec specA = new RbdImageSpec("rbd", CephTestCluster.imageName("dead"), conf.toString(), null);
        RbdImageSpec specB = specA.withCephConf(conf.getParent().resolve(".").resolve(conf.getFileName()).toString());
        try (RbdStore a = RbdStore.open(specA, 512, 16L << 20, true);
                RbdStore b = RbdStore.open(specB, 512, 0, false)) {
            assertThat(a.holdExclusiveLock()).isTrue();
            assertThat(b.holdExclusiveLock()).isFalse(); // a live owner keeps it
            RbdImage bImage = b.gateForTests().enter();
            List<String> owners;
            try {
                owners = bImage.lockOwners();
                assertThat(bImage.watcherAddresses()).containsAll(owners).hasSize(2);
            } finally {
                b.gateForTests().exit();
            }
            Process p = new ProcessBuilder("ceph", "-c", conf.toString(), "osd", "blocklist", "add", owners.getFirst())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
            boolean owner = false;
            for (int i = 0; i < 100 && !owner; i++) { // until the OSD dropped the blocklisted watch
                owner = b.holdExclusiveLock();
                if (!owner) {
                    Thread.sleep(100);
                }
            }
            assertThat(owner).isTrue();
            b.write(0, direct(pattern(5, 512)), false);
        }
    }

    /**
     * Two gateways decide who writes by the image's exclusive lock: an image without the
     * exclusive-lock feature gets a lock check that says so and how to fix it, not a silent
     * "non-optimized" on every gateway.
     */
    @Test
    void anImageWithoutTheExclusiveLockFeatureIsNamedAsSuch() throws Exception {
        Path conf = CephTestCluster.conf();
        String name = CephTestCluster.imageName("nolock");
        Process p = new ProcessBuilder("rbd", "-c", conf.toString(), "create", "--image-feature", "layering",
                "--size", "16M", "rbd/" + name).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes())).isZero();
        try (RbdStore s = RbdStore.open(new RbdImageSpec("rbd", name, conf.toString(), null), 512, 0, false)) {
            assertThatThrownBy(s::holdExclusiveLock).hasMessageContaining("exclusive-lock")
                    .hasMessageContaining("rbd feature enable");
        }
    }
}
