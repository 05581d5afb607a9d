package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Store} owes the SCSI core and the copy engine. Subclasses supply
 * the stores; sizes are chosen to end in a short 1 MiB RAM chunk and to span chunk boundaries.
 *
 * <p>A store that keeps no data ({@link #keepsData()} false, the null store) runs the same
 * tests: every read it answers must be what {@link #stored} says, all zeros.
 */
abstract class StoreContractTest {
    static final int BS = 4096;
    static final long SIZE = (3L << 20) + 16 * BS;

    private final List<Store> opened = new ArrayList<>();

    /** A fresh, never-written store of {@code size} bytes (block size {@link #BS}). */
    protected abstract Store create(long size) throws Exception;

    /** Whether two stores from {@link #create} copy through a fast path ({@code copyTo != -1}). */
    protected abstract boolean hasCopyFastPath();

    /** Whether reads return what was written; false for a store that discards writes. */
    protected boolean keepsData() {
        return true;
    }

    /** What a read returns where {@code written} was the last data written (zeros if nothing is kept). */
    protected final byte[] stored(byte[] written) {
        return keepsData() ? written : new byte[written.length];
    }

    protected final Store open(long size) throws Exception {
        Store s = create(size);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() throws Exception {
        for (Store s : opened) {
            s.close();
        }
    }

    static byte[] pattern(int seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] read(Store s, long offset, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        s.read(offset, b);
        assertThat(b.hasRemaining()).isFalse();
        return b.array();
    }

    static void write(Store s, long offset, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        s.write(offset, b, false);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void geometry() throws Exception {
        Store s = open(SIZE);
        assertThat(s.blockSize()).isEqualTo(BS);
        assertThat(s.sizeBytes()).isEqualTo(SIZE);
        assertThat(s.blockCount()).isEqualTo(SIZE / BS);
    }

    @Test
    void unwrittenSpaceReadsAsZeros() throws Exception {
        Store s = open(SIZE);
        assertThat(read(s, 0, BS)).containsOnly(0);
        assertThat(read(s, SIZE - 3 * BS, 3 * BS)).containsOnly(0);
    }

    @Test
    void readAfterWriteAcrossChunkBoundaries() throws Exception {
        Store s = open(SIZE);
        byte[] a = pattern(1, 3 * BS);
        byte[] b = pattern(2, (1 << 20) + 2 * BS);
        long aAt = (1L << 20) - BS; // straddles the first 1 MiB boundary
        long bAt = SIZE - b.length; // ends at the last byte
        write(s, aAt, a);
        write(s, bAt, b);
        assertThat(read(s, aAt, a.length)).isEqualTo(stored(a));
        assertThat(read(s, bAt, b.length)).isEqualTo(stored(b));
        assertThat(read(s, aAt - BS, BS)).containsOnly(0);
        // byte-granular access (the copy engine uses any byte offset)
        assertThat(read(s, aAt + 7, 5)).isEqualTo(stored(java.util.Arrays.copyOfRange(a, 7, 12)));
    }

    @Test
    void directAndReadOnlyBuffersWork() throws Exception {
        Store s = open(SIZE);
        byte[] data = pattern(3, 2 * BS);
        ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip().asReadOnlyBuffer();
        s.write(BS, src, true);
        assertThat(src.hasRemaining()).isFalse();
        ByteBuffer dst = ByteBuffer.allocateDirect(data.length + 8);
        dst.position(8);
        s.read(BS, dst);
        assertThat(dst.position()).isEqualTo(data.length + 8);
        byte[] got = new byte[data.length];
        dst.position(8);
        dst.get(got);
        assertThat(got).isEqualTo(stored(data));
    }

    /** Reads overwrite every byte asked for: the core reads into pooled buffers with old contents. */
    @Test
    void readsOverwriteTheWholeDestination() throws Exception {
        Store s = open(SIZE);
        byte[] data = pattern(11, (1 << 20) + 3 * BS);
        write(s, BS, data);
        for (ByteBuffer dst : List.of(ByteBuffer.allocate(data.length + 16), ByteBuffer.allocateDirect(data.length + 16))) {
            while (dst.hasRemaining()) {
                dst.put((byte) 0x5a);
            }
            dst.position(8).limit(8 + data.length);
            s.read(BS, dst);
            assertThat(dst.position()).isEqualTo(8 + data.length);
            byte[] got = new byte[data.length];
            dst.position(8);
            dst.get(got);
            assertThat(got).isEqualTo(stored(data));
            // bytes outside [position, limit) are left alone
            assertThat(dst.get(7)).isEqualTo((byte) 0x5a);
            assertThat(dst.limit(dst.capacity()).get(8 + data.length)).isEqualTo((byte) 0x5a);
        }
    }

    @Test
    void outOfRangeAccessIsAnIoError() throws Exception {
        Store s = open(SIZE);
        assertThatThrownBy(() -> s.read(SIZE - BS, ByteBuffer.allocate(2 * BS))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> s.write(SIZE, ByteBuffer.allocate(1), false)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> s.read(-BS, ByteBuffer.allocate(BS))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> s.read(Long.MAX_VALUE - 10, ByteBuffer.allocate(BS))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> s.unmap(SIZE - BS, 2 * BS)).isInstanceOf(IOException.class);
        // the last block itself is fine
        write(s, SIZE - BS, pattern(4, BS));
        assertThat(read(s, SIZE - BS, BS)).isEqualTo(stored(pattern(4, BS)));
    }

    @Test
    void concurrentWritersOnDisjointRanges() throws Exception {
        Store s = open(SIZE);
        int writers = 8;
        int region = (int) (SIZE / writers / BS) * BS;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                futures.add(pool.submit(() -> {
                    byte[] data = pattern(100 + id, region);
                    for (int off = 0; off < region; off += BS) {
                        s.write((long) id * region + off, ByteBuffer.wrap(data, off, BS), false);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int w = 0; w < writers; w++) {
            assertThat(read(s, (long) w * region, region)).as("region %d", w).isEqualTo(stored(pattern(100 + w, region)));
        }
    }

    @Test
    void unmapReadsBackZerosAndKeepsNeighbours() throws Exception {
        Store s = open(SIZE);
        byte[] all = pattern(5, (int) SIZE);
        write(s, 0, all);
        long from = 3 * BS;
        long len = (2L << 20) + 5 * BS; // partial chunk, two whole chunks' worth, partial chunk
        s.unmap(from, len);
        assertThat(read(s, from, (int) len)).containsOnly(0);
        assertThat(read(s, 0, (int) from)).isEqualTo(stored(java.util.Arrays.copyOfRange(all, 0, (int) from)));
        int after = (int) (from + len);
        assertThat(read(s, after, (int) SIZE - after))
                .isEqualTo(stored(java.util.Arrays.copyOfRange(all, after, (int) SIZE)));
        // unmapped space can be written again
        write(s, from, pattern(6, BS));
        assertThat(read(s, from, BS)).isEqualTo(stored(pattern(6, BS)));
        // unmap of everything
        s.unmap(0, SIZE);
        assertThat(read(s, 0, (int) SIZE)).containsOnly(0);
    }

    @Test
    void copyToAnotherStore() throws Exception {
        Store src = open(SIZE);
        Store dst = open(SIZE);
        byte[] data = pattern(7, (int) SIZE);
        write(src, 0, data);
        write(dst, 0, pattern(8, (int) SIZE)); // overwritten below, including with zeros
        src.unmap(0, 1L << 20);
        long srcAt = 512;
        long dstAt = 3 * BS + 100; // byte-granular, unaligned on purpose
        long len = SIZE - dstAt - BS;
        long done = copyFully(src, srcAt, dst, dstAt, len);
        if (!hasCopyFastPath()) {
            assertThat(done).isEqualTo(-1);
            return;
        }
        assertThat(done).isEqualTo(len);
        byte[] expected = java.util.Arrays.copyOfRange(data, (int) srcAt, (int) (srcAt + len));
        java.util.Arrays.fill(expected, 0, (int) ((1 << 20) - srcAt), (byte) 0);
        assertThat(read(dst, dstAt, (int) len)).isEqualTo(stored(expected));
        assertThat(read(dst, 0, (int) dstAt))
                .isEqualTo(stored(java.util.Arrays.copyOfRange(pattern(8, (int) SIZE), 0, (int) dstAt)));
    }

    @Test
    void copyToSameStoreDisjointRanges() throws Exception {
        Store s = open(SIZE);
        byte[] data = pattern(9, 2 * BS);
        write(s, 0, data);
        long done = copyFully(s, 0, s, (2L << 20) + 1, data.length);
        if (hasCopyFastPath()) {
            assertThat(done).isEqualTo(data.length);
            assertThat(read(s, (2L << 20) + 1, data.length)).isEqualTo(stored(data));
        }
        // overlapping ranges of one store never take the fast path
        assertThat(s.copyTo(0, s, BS, 2 * BS)).isEqualTo(-1);
    }

    @Test
    void copyToChecksBounds() throws Exception {
        Store a = open(SIZE);
        Store b = open(SIZE);
        if (hasCopyFastPath()) {
            assertThatThrownBy(() -> a.copyTo(SIZE - BS, b, 0, 2 * BS)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> a.copyTo(0, b, SIZE - BS, 2 * BS)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void fuaAndFlushSucceed() throws Exception {
        Store s = open(SIZE);
        s.write(0, ByteBuffer.wrap(pattern(10, BS)), true);
        s.flush();
        assertThat(read(s, 0, BS)).isEqualTo(stored(pattern(10, BS)));
    }

    /** WRITE SAME by the store: either declined with nothing written, or the block over the whole range. */
    @Test
    void nativeWriteSameDoesAllOrNothing() throws Exception {
        Store s = open(SIZE);
        byte[] block = pattern(12, BS);
        ByteBuffer b = ByteBuffer.allocateDirect(BS).put(block).flip();
        boolean done = s.writeSame(2 * BS, 5L * BS, b, false);
        assertThat(b.remaining()).isEqualTo(BS);
        for (int i = 0; i < 5; i++) {
            assertThat(read(s, (2L + i) * BS, BS)).isEqualTo(done ? stored(block) : new byte[BS]);
        }
        assertThat(read(s, 7L * BS, BS)).containsOnly(0);
        assertThat(read(s, BS, BS)).containsOnly(0);
    }

    /** COMPARE AND WRITE by the store: declined with nothing written, or compare then write, the offset of a difference. */
    @Test
    void nativeCompareAndWriteComparesThenWrites() throws Exception {
        Store s = open(SIZE);
        byte[] old = pattern(13, BS);
        byte[] next = pattern(14, BS);
        write(s, 3L * BS, old);
        long r = s.compareAndWrite(3L * BS, ByteBuffer.wrap(old), ByteBuffer.wrap(next), false);
        if (r == Store.NO_COMPARE_AND_WRITE) {
            assertThat(read(s, 3L * BS, BS)).isEqualTo(stored(old));
            return;
        }
        assertThat(r).isEqualTo(Store.COMPARE_MATCHED);
        assertThat(read(s, 3L * BS, BS)).isEqualTo(stored(next));
        byte[] stale = next.clone();
        stale[BS - 9] ^= 1;
        assertThat(s.compareAndWrite(3L * BS, ByteBuffer.wrap(stale), ByteBuffer.wrap(old), true)).isEqualTo(BS - 9);
        assertThat(read(s, 3L * BS, BS)).isEqualTo(stored(next));
    }

    /** Calls copyTo until done, as the copy engine does; -1 when there is no fast path. */
    static long copyFully(Store src, long srcOff, Store dst, long dstOff, long len) throws IOException {
        long done = 0;
        while (done < len) {
            long n = src.copyTo(srcOff + done, dst, dstOff + done, len - done);
            if (n == -1) {
                return -1;
            }
            assertThat(n).isPositive().isLessThanOrEqualTo(len - done);
            done += n;
        }
        return done;
    }
}
