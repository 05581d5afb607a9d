package io.xtarget.backend.rbd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Two stores of one new 16 MiB image, each on a cluster connection of its own (the same ceph.conf
 * named by two paths, so {@link RbdCluster} does not share one), as two gateways see it: {@link #a}
 * is the home (it polled first), {@link #b} is not. Skipped without Ceph ({@link CephTestCluster}).
 */
record TwoGateways(RbdStore a, RbdStore b, RbdImageSpec spec, Path conf) implements AutoCloseable {
    /** Opens both on a new image named after {@code name}; a is the home, b is not. */
    static TwoGateways open(String name) throws IOException {
        Path conf = CephTestCluster.conf();
        RbdImageSpec spec = new RbdImageSpec("rbd", CephTestCluster.imageName(name), conf.toString(), null);
        RbdStore a = RbdStore.open(spec, 512, 16L << 20, true);
        RbdStore b = null;
        try {
            b = RbdStore.open(otherConnection(spec, conf), 512, 0, false);
            assertThat(a.holdHome()).isTrue();
            assertThat(b.holdHome()).isFalse();
            return new TwoGateways(a, b, spec, conf);
        } catch (IOException | RuntimeException | Error e) {
            if (b != null) {
                b.close();
            }
            a.close();
            throw e;
        }
    }

    /** {@code spec} with its ceph.conf named by another path: a store on it gets a connection of its own. */
    static RbdImageSpec otherConnection(RbdImageSpec spec, Path conf) {
        return spec.withCephConf(conf.getParent().resolve(".").resolve(conf.getFileName()).toString());
    }

    /**
     * Whether nothing holds {@code s}'s lock use within 2 s: a release another gateway asked for may
     * be running for a moment; a leaked hold never ends.
     */
    static boolean idleSoon(RbdStore s) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (s.handoffForTests().idleForTests()) {
                return true;
            }
            Thread.sleep(10);
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            b.close();
        } finally {
            a.close();
        }
    }
}
