package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pooled command buffers and lazily committed large ones: {@link BufferPool}, {@link LazyMemory}. */
class BufferPoolTest {
    private static final int MIB = 1 << 20;
    private static final Path STATUS = Path.of("/proc/self/status");

    @Test
    void pooledBuffersComeWithPositionZeroAndLimitTheSize() {
        BufferPool pool = new BufferPool();
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 65536, 100_000, BufferPool.LARGE}) {
            ByteBuffer b = pool.take(size);
            assertThat(b.isDirect()).isTrue();
            assertThat(b.position()).isZero();
            assertThat(b.limit()).isEqualTo(size);
            assertThat(Integer.bitCount(b.capacity())).isEqualTo(1);
            assertThat(b.capacity()).isGreaterThanOrEqualTo(Math.max(4096, size));
            pool.give(b);
        }
    }

    @Test
    void aGivenBufferIsReusedForItsSizeClassWithTheNewLimit() {
        BufferPool pool = new BufferPool();
        ByteBuffer b = pool.take(5000);
        b.position(100);
        pool.give(b);
        assertThat(pool.keptBytes()).isEqualTo(8192);
        ByteBuffer again = pool.take(6000);
        assertThat(again).isSameAs(b);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(6000);
        assertThat(pool.keptBytes()).isZero();
    }

    @Test
    void retentionNeverExceedsKeepBytes() {
        BufferPool pool = new BufferPool();
        List<ByteBuffer> taken = new ArrayList<>();
        for (long n = 0; n < BufferPool.KEEP_BYTES + 8L * MIB; n += MIB) {
            taken.add(pool.take(MIB));
        }
        for (ByteBuffer b : taken) {
            pool.give(b);
            assertThat(pool.keptBytes()).isLessThanOrEqualTo(BufferPool.KEEP_BYTES);
        }
        assertThat(pool.keptBytes()).isEqualTo(BufferPool.KEEP_BYTES);
    }

    @Test
    void foreignBuffersAreNotKept() {
        BufferPool pool = new BufferPool();
        pool.give(null);
        pool.give(ByteBuffer.allocate(4096)); // heap
        pool.give(ByteBuffer.allocateDirect(5000)); // not a size class
        pool.give(ByteBuffer.allocateDirect(1024)); // below the smallest class
        assertThat(pool.keptBytes()).isZero();
    }

    @Test
    void largeBuffersCommitOnlyThePagesWritten() throws IOException {
        assumeTrue(Files.isReadable(STATUS), "no /proc/self/status");
        BufferPool pool = new BufferPool();
        long before = rssBytes();
        ByteBuffer b = pool.take(32 * MIB);
        assertThat(b.limit()).isEqualTo(32 * MIB);
        assertThat(b.capacity()).isEqualTo(32 * MIB);
        b.put(new byte[4096]);
        b.put(32 * MIB - 1, (byte) 1);
        assertThat(rssBytes() - before).isLessThan(4L * MIB);
        pool.give(b);
    }

    @Test
    void givingALargeBufferBackUnmapsIt() throws IOException {
        assumeTrue(Files.isReadable(STATUS), "no /proc/self/status");
        BufferPool pool = new BufferPool();
        ByteBuffer b = pool.take(32 * MIB);
        ByteBuffer dup = b.duplicate();
        byte[] page = new byte[4096];
        for (int i = 0; i < 24 * MIB; i += page.length) {
            b.put(i, page, 0, page.length); // commit 24 MiB
        }
        long filled = rssBytes();
        pool.give(b);
        assertThat(filled - rssBytes()).isGreaterThan(16L * MIB);
        assertThat(pool.keptBytes()).isZero(); // never pooled
        // a stray access after release fails cleanly instead of touching unmapped memory
        assertThatThrownBy(() -> dup.get(0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> dup.put(0, (byte) 1)).isInstanceOf(IllegalStateException.class);
        pool.give(b); // a second give is ignored
    }

    @Test
    void lazyMemoryDoesNotReleaseForeignBuffers() {
        LazyMemory lazy = new LazyMemory();
        assertThat(lazy.give(ByteBuffer.allocateDirect(2 * MIB))).isFalse();
        ByteBuffer b = lazy.take(2 * MIB);
        assertThat(lazy.give(b)).isTrue();
        assertThat(lazy.give(b)).isFalse();
    }

    private static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS line");
    }
}
