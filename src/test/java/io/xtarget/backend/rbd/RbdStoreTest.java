package io.xtarget.backend.rbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.Store;
import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What RbdStore does beyond the Store contract ({@code RbdStoreContractTest}): librbd's own
 * WRITE SAME, COMPARE AND WRITE and allocation map, image creation and sizing, and the errors of
 * a missing image or an unreachable cluster. Skipped without Ceph ({@link CephTestCluster}).
 */
class RbdStoreTest {
    private static final long MIB = 1 << 20;

    static byte[] pattern(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static ByteBuffer direct(byte[] b) {
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    static byte[] read(Store s, long offset, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        s.read(offset, b);
        byte[] out = new byte[n];
        b.flip().get(out);
        return out;
    }

    @Test
    void writeSameRepeatsTheBlockNatively() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("ws"), 512, 16 * MIB, true)) {
            byte[] block = pattern(1, 512);
            ByteBuffer heap = ByteBuffer.wrap(block);
            assertThat(s.writeSame(4096, 5 * MIB, heap, false)).isTrue();
            assertThat(heap.remaining()).isEqualTo(512); // position left alone
            byte[] got = read(s, 4096, (int) (5 * MIB));
            for (int i = 0; i < got.length; i += 512) {
                assertThat(Arrays.copyOfRange(got, i, i + 512)).as("block at %d", i).isEqualTo(block);
            }
            assertThat(read(s, 0, 4096)).containsOnly(0);
            assertThat(read(s, 4096 + 5 * MIB, 512)).containsOnly(0);
            assertThat(s.writeSame(0, 1024, direct(pattern(2, 512)), true)).isTrue(); // FUA, direct
            assertThat(read(s, 512, 512)).isEqualTo(pattern(2, 512));
            assertThatThrownBy(() -> s.writeSame(16 * MIB - 512, 1024, direct(block), false))
                    .isInstanceOf(IOException.class);
        }
    }

    @Test
    void startedReadsAndWritesRoundTrip() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("started"), 512, 16 * MIB, true)) {
            assertThat(s.startsIo()).isTrue();
            int n = 64;
            java.util.List<java.util.concurrent.CompletableFuture<Void>> writes = new java.util.ArrayList<>();
            java.util.List<ByteBuffer> sources = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                ByteBuffer src = direct(pattern(100 + i, 4096));
                sources.add(src);
                writes.add(s.startWrite(i * 65536L, src, false));
            }
            for (int i = 0; i < n; i++) {
                assertThat(writes.get(i)).as("started write %d", i).isNotNull();
                writes.get(i).get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(sources.get(i).remaining()).as("position advanced").isZero();
            }
            for (int i = 0; i < n; i++) {
                ByteBuffer dst = ByteBuffer.allocateDirect(4096);
                java.util.concurrent.CompletableFuture<Void> r = s.startRead(i * 65536L, dst);
                assertThat(r).isNotNull();
                r.get(30, java.util.concurrent.TimeUnit.SECONDS);
                byte[] got = new byte[4096];
                dst.flip().get(got);
                assertThat(got).as("read %d", i).isEqualTo(pattern(100 + i, 4096));
            }
            // what must go the blocking way: FUA, heap buffers, out of range
            assertThat(s.startWrite(0, direct(pattern(1, 512)), true)).isNull();
            assertThat(s.startWrite(0, ByteBuffer.wrap(pattern(1, 512)), false)).isNull();
            assertThat(s.startRead(0, ByteBuffer.allocate(512))).isNull();
            assertThat(s.startRead(16 * MIB, ByteBuffer.allocateDirect(512))).isNull();
        }
    }

    @Test
    void aClosedStoreStartsNothing() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("started-closed"), 512, 8 * MIB, true)) {
            s.close();
            assertThat(s.startRead(0, ByteBuffer.allocateDirect(512))).as("closed: the blocking path says so").isNull();
            assertThat(s.startWrite(0, direct(pattern(1, 512)), false)).isNull();
        }
    }

    @Test
    void compareAndWriteIsAtomicOnTheClusterWithinASector() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("caw"), 512, 8 * MIB, true)) {
            byte[] old = pattern(3, 512);
            byte[] next = pattern(4, 512);
            s.write(4 * MIB - 512, direct(old), false); // the last sector of the first object
            assertThat(s.compareAndWrite(4 * MIB - 512, direct(old), direct(next), true))
                    .isEqualTo(Store.COMPARE_MATCHED);
            assertThat(read(s, 4 * MIB - 512, 512)).isEqualTo(next);
            byte[] wrong = next.clone();
            wrong[300] ^= 0x10;
            ByteBuffer verify = ByteBuffer.wrap(wrong); // heap buffers work too
            assertThat(s.compareAndWrite(4 * MIB - 512, verify, ByteBuffer.wrap(old), false)).isEqualTo(300);
            assertThat(read(s, 4 * MIB - 512, 512)).isEqualTo(next); // nothing written
            assertThat(verify.remaining()).isEqualTo(512);
        }
    }

    /** Ceph 16's librbd refuses compare and write beyond one sector: the store says so, nothing is written. */
    @Test
    void compareAndWriteBeyondASectorIsLeftToTheCaller() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("caw4k"), 4096, 8 * MIB, true)) {
            byte[] old = pattern(5, 4096);
            s.write(8192, direct(old), false);
            for (int i = 0; i < 2; i++) { // the first answer comes from librbd, the second from the store
                long r = s.compareAndWrite(8192, direct(old), direct(pattern(6, 4096)), false);
                if (r == Store.NO_COMPARE_AND_WRITE) {
                    assertThat(read(s, 8192, 4096)).isEqualTo(old);
                } else {
                    assertThat(r).isEqualTo(Store.COMPARE_MATCHED); // a librbd without the limit
                    s.write(8192, direct(old), false);
                }
            }
        }
    }

    /**
     * Without snapshots librbd knows allocation per object: an object that exists counts as
     * mapped from its start to the end of its data (never wrong: a mapped block may hold zeros),
     * objects that do not exist as deallocated. Every written byte must be inside a mapped run.
     */
    @Test
    void extentsFollowWhatWasWrittenAndDiscarded() throws Exception {
        try (RbdStore s = RbdStore.open(CephTestCluster.newImage("lba"), 512, 12 * MIB, true)) {
            assertThat(s.extentAt(0)).isEqualTo(new Store.Extent(12 * MIB, false));
            s.write(MIB + 1024, direct(pattern(7, 8192)), false);
            s.write(5 * MIB, direct(pattern(8, 4096)), false);
            s.write(5 * MIB + 4096 + 100, direct(pattern(9, 10)), false);
            long[][] written = {{MIB + 1024, 8192}, {5 * MIB, 4096}, {5 * MIB + 4096, 512}};
            java.util.List<long[]> mapped = mappedRuns(s);
            for (long[] w : written) {
                assertThat(mapped).as("%d+%d", w[0], w[1]).anyMatch(m -> m[0] <= w[0] && w[0] + w[1] <= m[0] + m[1]);
            }
            for (long[] m : mapped) {
                assertThat(m[0] % 512).isZero();
                assertThat(m[1] % 512).isZero();
            }
            assertThat(mapped).noneMatch(m -> m[0] + m[1] > 4 * MIB && m[0] < 4 * MIB); // objects stay apart
            assertThat(s.extentAt(8 * MIB)).isEqualTo(new Store.Extent(4 * MIB, false)); // never written
            s.unmap(4 * MIB, 4 * MIB); // a whole object: it is removed
            assertThat(s.extentAt(4 * MIB)).isEqualTo(new Store.Extent(8 * MIB, false));
            assertThat(read(s, 5 * MIB, 4096)).containsOnly(0);
        }
    }

    /** The mapped runs of the whole store, as {offset, length}, walking {@link Store#extentAt} like GET LBA STATUS. */
    static java.util.List<long[]> mappedRuns(Store s) throws IOException {
        java.util.List<long[]> runs = new java.util.ArrayList<>();
        for (long at = 0; at < s.sizeBytes(); ) {
            Store.Extent e = s.extentAt(at);
            assertThat(e.length()).isPositive();
            if (e.mapped()) {
                runs.add(new long[] {at, e.length()});
            }
            at += e.length();
        }
        return runs;
    }

    @Test
    void sizeAndCreationRules() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("size");
        assertThatThrownBy(() -> RbdStore.open(spec, 512, 0, true)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> RbdStore.open(spec, 512, 4 * MIB, false)).isInstanceOf(NoSuchFileException.class);
        try (RbdStore s = RbdStore.open(spec, 512, 4 * MIB, true)) {
            assertThat(s.sizeBytes()).isEqualTo(4 * MIB);
            assertThat(s.kind()).isEqualTo("rbd");
            assertThat(s.toString()).contains("rbd:rbd/" + spec.image());
        }
        try (RbdStore s = RbdStore.open(spec, 4096, 0, false)) { // the image's own size
            assertThat(s.sizeBytes()).isEqualTo(4 * MIB);
        }
        assertThatThrownBy(() -> RbdStore.open(spec, 512, 8 * MIB, true)).hasMessageContaining("less than the requested");
        RbdImageSpec noPool = new RbdImageSpec("no-such-pool", "x", spec.cephConf(), null);
        assertThatThrownBy(() -> RbdStore.open(noPool, 512, MIB, true)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void closedStoreRefusesIo() throws Exception {
        RbdStore s = RbdStore.open(CephTestCluster.newImage("closed"), 512, MIB, true);
        s.close();
        s.close(); // twice is fine
        assertThatThrownBy(() -> s.read(0, ByteBuffer.allocateDirect(512))).hasMessageContaining("closed");
    }

    /** Monitors that do not answer: the connection fails after the connect timeout, as unavailability. */
    @Test
    void unreachableClusterIsUnavailable(@TempDir Path dir) throws Exception {
        Path real = CephTestCluster.conf();
        Path conf = dir.resolve("ceph.conf");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed again below: nothing listens there
        }
        Files.writeString(conf, Files.readString(real).replaceAll("mon host = .*", "mon host = v2:127.0.0.1:" + port));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> RbdStore.open(new RbdImageSpec("rbd", "any", conf.toString(), null), 512, MIB, true))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("connecting to the Ceph cluster");
        assertThat((System.nanoTime() - t0) / 1_000_000_000).isLessThan(RbdCluster.CONNECT_TIMEOUT_SECONDS + 10);
        // another image on the same cluster right after: no second wait
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> RbdStore.open(new RbdImageSpec("rbd", "other", conf.toString(), null), 512, MIB, true))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("not tried again yet");
        assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(1000);
    }
}
