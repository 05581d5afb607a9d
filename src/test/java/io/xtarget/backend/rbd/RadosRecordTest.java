package io.xtarget.backend.rbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.SharedRecord;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A RADOS object as a shared record on the test cluster: versioned compare-and-swap (two writers
 * from one version: one wins) and announcements that return only after the other follower ran
 * its change handler. Skipped without Ceph ({@link CephTestCluster}).
 */
class RadosRecordTest {
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAbsentRecordIsEmptyAndOnlyOneCreatorWins() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("rec");
        String object = "xtarget.test." + spec.image();
        try (RadosRecord a = RadosRecord.open(spec, object); RadosRecord b = RadosRecord.open(spec, object)) {
            SharedRecord.Versioned none = a.read();
            assertThat(none.value()).isEmpty();
            assertThat(none.version()).isZero();
            assertThat(a.replace(0, bytes("first"))).isTrue();
            assertThat(b.replace(0, bytes("second"))).isFalse();
            assertThat(new String(b.read().value(), StandardCharsets.UTF_8)).isEqualTo("first");
        }
    }

    @Test
    void aWriteFromAStaleVersionFails() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("rec");
        String object = "xtarget.test." + spec.image();
        try (RadosRecord a = RadosRecord.open(spec, object); RadosRecord b = RadosRecord.open(spec, object)) {
            a.replace(0, bytes("v1"));
            SharedRecord.Versioned seenByA = a.read();
            SharedRecord.Versioned seenByB = b.read();
            assertThat(seenByB.version()).isEqualTo(seenByA.version()).isPositive();
            assertThat(a.replace(seenByA.version(), bytes("from a"))).isTrue();
            assertThat(b.replace(seenByB.version(), bytes("from b"))).isFalse();
            SharedRecord.Versioned now = b.read();
            assertThat(new String(now.value(), StandardCharsets.UTF_8)).isEqualTo("from a");
            assertThat(now.version()).isGreaterThan(seenByB.version());
            assertThat(b.replace(now.version(), bytes("from b"))).isTrue();
        }
    }

    @Test
    void aLargeRecordIsReadWhole() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("rec");
        try (RadosRecord a = RadosRecord.open(spec, "xtarget.test." + spec.image())) {
            byte[] big = new byte[300_000];
            new java.util.Random(7).nextBytes(big);
            assertThat(a.replace(0, big)).isTrue();
            assertThat(a.read().value()).isEqualTo(big);
        }
    }

    @Test
    void anAnnouncementReturnsAfterTheOtherFollowerHandledIt() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("rec");
        String object = "xtarget.test." + spec.image();
        AtomicInteger seenByA = new AtomicInteger();
        AtomicInteger seenByB = new AtomicInteger();
        try (RadosRecord a = RadosRecord.open(spec, object); RadosRecord b = RadosRecord.open(spec, object)) {
            a.follow(seenByA::incrementAndGet);
            b.follow(() -> {
                seenByB.incrementAndGet();
                try {
                    b.read(); // a handler may read the record (the ledger does)
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            a.announce();
            assertThat(seenByB.get()).isEqualTo(1);
            assertThat(seenByA.get()).isZero(); // its own announcement
            b.announce();
            assertThat(seenByA.get()).isEqualTo(1);
            assertThat(seenByB.get()).isEqualTo(1);
        }
    }

    @Test
    void anImageIdIsNewForANewImageOfAnOldName() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("rec-id");
        assertThat(RadosRecord.imageId(spec)).isNull();
        RbdStore.open(spec, 512, 1 << 20, true).close();
        String first = RadosRecord.imageId(spec);
        assertThat(first).isNotBlank();
        Process rm = new ProcessBuilder("rbd", "--conf", spec.cephConf(), "rm", spec.pool() + "/" + spec.image())
                .redirectErrorStream(true).start();
        rm.getInputStream().readAllBytes();
        assertThat(rm.waitFor()).isZero();
        RbdStore.open(spec, 512, 1 << 20, true).close();
        assertThat(RadosRecord.imageId(spec)).isNotBlank().isNotEqualTo(first);
    }
}
