package io.xtarget.backend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A RAM disk in off-heap memory, allocated lazily in fixed {@link #CHUNK_SIZE} chunks: a 1 GiB
 * RAM disk costs only the chunks written. Unwritten chunks read as zeros; UNMAP of a whole
 * chunk frees its memory at once (each chunk has its own shared {@link Arena}).
 *
 * <p>Concurrency: data accesses hold the read lock (many at once); freeing chunks and closing
 * hold the write lock, so no access ever touches freed memory. Chunks are installed by CAS.
 */
public final class RamStore implements Store {
    public static final int CHUNK_SIZE = 1 << 20;
    private static final AtomicLong IDS = new AtomicLong();

    private record Chunk(Arena arena, MemorySegment memory) {}

    private final int blockSize;
    private final long sizeBytes;
    private final AtomicReferenceArray<Chunk> chunks;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Global order for taking two stores' locks in {@link #copyTo} without deadlock. */
    private final long id = IDS.incrementAndGet();
    private boolean closed;

    public RamStore(int blockSize, long sizeBytes) throws IOException {
        StoreGeometry.check("RAM disk", blockSize, sizeBytes);
        long n = (sizeBytes + CHUNK_SIZE - 1) / CHUNK_SIZE;
        if (n > Integer.MAX_VALUE) {
            throw new IOException("RAM disk size " + sizeBytes + " too large");
        }
        this.blockSize = blockSize;
        this.sizeBytes = sizeBytes;
        this.chunks = new AtomicReferenceArray<>((int) n);
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public String kind() {
        return "ram";
    }

    @Override
    public Speed speed() {
        return Speed.MEMORY;
    }

    /** Bytes of memory currently allocated (whole chunks). */
    public long allocatedBytes() {
        long n = 0;
        for (int i = 0; i < chunks.length(); i++) {
            if (chunks.get(i) != null) {
                n += CHUNK_SIZE;
            }
        }
        return n;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        Bounds.check(offset, len, sizeBytes);
        MemorySegment out = MemorySegment.ofBuffer(dst);
        lock.readLock().lock();
        try {
            ensureOpen();
            forEachPiece(offset, len, (idx, within, done, n) -> {
                Chunk c = chunks.get(idx);
                if (c == null) {
                    out.asSlice(done, n).fill((byte) 0);
                } else {
                    MemorySegment.copy(c.memory, within, out, done, n);
                }
            });
        } finally {
            lock.readLock().unlock();
        }
        dst.position(dst.position() + len);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int len = src.remaining();
        Bounds.check(offset, len, sizeBytes);
        MemorySegment in = MemorySegment.ofBuffer(src);
        lock.readLock().lock();
        try {
            ensureOpen();
            forEachPiece(offset, len, (idx, within, done, n) -> MemorySegment.copy(in, done, chunk(idx), within, n));
        } finally {
            lock.readLock().unlock();
        }
        src.position(src.position() + len);
    }

    /** The chunk's memory, allocated (zeroed) on first use. Caller holds the read lock. */
    private MemorySegment chunk(int idx) {
        Chunk c = chunks.get(idx);
        if (c != null) {
            return c.memory;
        }
        Arena arena = Arena.ofShared();
        Chunk fresh = new Chunk(arena, arena.allocate(CHUNK_SIZE, 4096)); // Arena memory is zeroed
        if (chunks.compareAndSet(idx, null, fresh)) {
            return fresh.memory;
        }
        arena.close(); // another writer won the race
        return chunks.get(idx).memory;
    }

    /** RAM is not durable; FUA and SYNCHRONIZE CACHE have nothing to do. */
    @Override
    public void flush() throws IOException {
        lock.readLock().lock();
        try {
            ensureOpen();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Frees every chunk the range covers entirely and zeros the partial ones. */
    @Override
    public void unmap(long offset, long length) throws IOException {
        Bounds.check(offset, length, sizeBytes);
        long end = offset + length;
        int firstWhole = (int) ((offset + CHUNK_SIZE - 1) / CHUNK_SIZE);
        // the last chunk may be short when the size is not a multiple of CHUNK_SIZE
        int endWhole = end == sizeBytes ? chunks.length() : (int) (end / CHUNK_SIZE);
        lock.readLock().lock();
        try {
            ensureOpen();
            zeroPartial(offset, Math.min(end, (long) firstWhole * CHUNK_SIZE));
            if (endWhole >= firstWhole) {
                zeroPartial(Math.max(offset, (long) endWhole * CHUNK_SIZE), end);
            }
        } finally {
            lock.readLock().unlock();
        }
        if (endWhole > firstWhole) {
            lock.writeLock().lock();
            try {
                ensureOpen();
                free(firstWhole, endWhole);
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** Frees the chunks [from, to), those allocated; under the write lock. */
    private void free(int from, int to) {
        for (int i = from; i < to; i++) {
            Chunk c = chunks.getAndSet(i, null);
            if (c != null) {
                c.arena.close();
            }
        }
    }

    /**
     * Chunks never written or freed by an unmap are deallocated; an allocated chunk is mapped as
     * a whole, even where a partial unmap zeroed it. The run ends where the next chunk differs.
     */
    @Override
    public Extent extentAt(long offset) throws IOException {
        Bounds.check(offset, 1, sizeBytes);
        lock.readLock().lock();
        try {
            ensureOpen();
            int first = (int) (offset / CHUNK_SIZE);
            boolean mapped = chunks.get(first) != null;
            int end = first + 1;
            while (end < chunks.length() && (chunks.get(end) != null) == mapped) {
                end++;
            }
            return new Extent(Math.min(sizeBytes, (long) end * CHUNK_SIZE) - offset, mapped);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Zeros [from, to) inside allocated chunks; caller holds the read lock. */
    private void zeroPartial(long from, long to) throws IOException {
        forEachPiece(from, to - from, (idx, within, done, n) -> {
            Chunk c = chunks.get(idx);
            if (c != null) {
                c.memory.asSlice(within, n).fill((byte) 0);
            }
        });
    }

    /** One piece of a byte range that lies inside a single chunk. */
    @FunctionalInterface
    private interface Piece {
        void accept(int chunk, long within, long done, int n) throws IOException;
    }

    /** Splits [offset, offset + length) at chunk boundaries and visits the pieces in order. */
    private static void forEachPiece(long offset, long length, Piece piece) throws IOException {
        for (long done = 0; done < length; ) {
            long pos = offset + done;
            long within = pos % CHUNK_SIZE;
            int n = (int) Math.min(length - done, CHUNK_SIZE - within);
            piece.accept((int) (pos / CHUNK_SIZE), within, done, n);
            done += n;
        }
    }

    /**
     * RAM to RAM: a memory copy chunk by chunk; unwritten source chunks stay unallocated. RAM to
     * file or block device: positional writes straight from the chunks' memory, so the bytes are
     * copied once (into the page cache) instead of twice through a bounce buffer.
     */
    @Override
    public long copyTo(long srcOffset, Store dst, long dstOffset, long length) throws IOException {
        if (dst instanceof ChannelStore ch) {
            return copyToChannel(srcOffset, ch, dstOffset, length);
        }
        if (!(dst instanceof RamStore to)) {
            return -1;
        }
        Bounds.check(srcOffset, length, sizeBytes);
        Bounds.check(dstOffset, length, to.sizeBytes);
        if (to == this && srcOffset < dstOffset + length && dstOffset < srcOffset + length) {
            return -1; // overlapping ranges in one store: the caller picks a safe order
        }
        long total = Math.min(length, ChannelStore.MAX_COPY_CHUNK);
        RamStore first = id <= to.id ? this : to;
        RamStore second = first == this ? to : this;
        first.lock.readLock().lock();
        try {
            if (second != first) {
                second.lock.readLock().lock();
            }
            try {
                ensureOpen();
                to.ensureOpen();
                long done = 0;
                while (done < total) {
                    long s = srcOffset + done;
                    long d = dstOffset + done;
                    long n = Math.min(total - done,
                            Math.min(CHUNK_SIZE - s % CHUNK_SIZE, CHUNK_SIZE - d % CHUNK_SIZE));
                    Chunk sc = chunks.get((int) (s / CHUNK_SIZE));
                    if (sc != null) {
                        MemorySegment.copy(sc.memory, s % CHUNK_SIZE, to.chunk((int) (d / CHUNK_SIZE)), d % CHUNK_SIZE, n);
                    } else {
                        to.zeroPartial(d, d + n);
                    }
                    done += n;
                }
                return total;
            } finally {
                if (second != first) {
                    second.lock.readLock().unlock();
                }
            }
        } finally {
            first.lock.readLock().unlock();
        }
    }

    /** Zeros to write for unallocated chunks; read-only, shared by every store. */
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(CHUNK_SIZE).asReadOnlyBuffer();

    private long copyToChannel(long srcOffset, ChannelStore to, long dstOffset, long length) throws IOException {
        Bounds.check(srcOffset, length, sizeBytes);
        Bounds.check(dstOffset, length, to.sizeBytes());
        long total = Math.min(length, ChannelStore.MAX_COPY_CHUNK);
        lock.readLock().lock(); // chunks cannot be freed while their memory is being written out
        try {
            ensureOpen();
            forEachPiece(srcOffset, total, (idx, within, done, n) -> {
                Chunk c = chunks.get(idx);
                ByteBuffer b = c == null ? ZEROS.duplicate().limit(n) : c.memory.asSlice(within, n).asByteBuffer();
                to.write(dstOffset + done, b, false);
            });
            return total;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * File or block device to RAM (the {@link ChannelStore#copyTo} fast path): reads straight into
     * the chunks' memory, allocating them as a write would. At most {@code length} bytes, already
     * bounds-checked by the caller against both stores.
     */
    long copyFrom(Store src, long srcOffset, long dstOffset, long length) throws IOException {
        lock.readLock().lock();
        try {
            ensureOpen();
            forEachPiece(dstOffset, length,
                    (idx, within, done, n) -> src.read(srcOffset + done, chunk(idx).asSlice(within, n).asByteBuffer()));
            return length;
        } finally {
            lock.readLock().unlock();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("RAM store closed");
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            free(0, chunks.length());
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "RamStore(" + sizeBytes + " bytes, " + allocatedBytes() + " allocated)";
    }
}
