package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A store with no storage behind it, for measuring the fabric and the SCSI core alone: writes are
 * discarded, reads return zeros, UNMAP and flushes do nothing. It uses no memory per store.
 *
 * <p>Reads copy from one small zeroed direct buffer shared by every null store (absolute bulk
 * puts, so concurrent readers never touch its position and nothing is allocated per call). Range
 * checks and the closed state behave as in the other stores, so an access outside the store is
 * still an I/O error.
 */
public final class NullStore implements Store {
    /** Size of the shared zero source; small enough to stay in cache, large enough for few copies. */
    static final int ZERO_CHUNK = 64 << 10;

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZERO_CHUNK).asReadOnlyBuffer();

    private final int blockSize;
    private final long sizeBytes;
    private volatile boolean closed;

    public NullStore(int blockSize, long sizeBytes) throws IOException {
        StoreGeometry.check("null store", blockSize, sizeBytes);
        this.blockSize = blockSize;
        this.sizeBytes = sizeBytes;
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
        return "null";
    }

    @Override
    public Speed speed() {
        return Speed.MEMORY;
    }

    /** Fills {@code dst} with zeros: the destination may be a pooled buffer with old contents. */
    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int len = dst.remaining();
        Bounds.check(offset, len, sizeBytes);
        ensureOpen();
        int pos = dst.position();
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, ZERO_CHUNK);
            dst.put(pos + done, ZEROS, 0, n);
            done += n;
        }
        dst.position(pos + len);
    }

    /** Discards the data: only the source's position moves. */
    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int len = src.remaining();
        Bounds.check(offset, len, sizeBytes);
        ensureOpen();
        src.position(src.position() + len);
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
    }

    /** Nothing is stored, so there is nothing to deallocate; reads return zeros anyway. */
    @Override
    public void unmap(long offset, long length) throws IOException {
        Bounds.check(offset, length, sizeBytes);
        ensureOpen();
    }

    /**
     * Null to null: nothing moves, so the whole range is "copied" at once. To any other store:
     * no fast path; the copy engine reads zeros from here and writes them there.
     */
    @Override
    public long copyTo(long srcOffset, Store dst, long dstOffset, long length) throws IOException {
        if (!(dst instanceof NullStore to)) {
            return -1;
        }
        Bounds.check(srcOffset, length, sizeBytes);
        Bounds.check(dstOffset, length, to.sizeBytes);
        if (to == this && srcOffset < dstOffset + length && dstOffset < srcOffset + length) {
            return -1; // overlapping ranges of one store never take a fast path (Store contract)
        }
        ensureOpen();
        to.ensureOpen();
        return length;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("null store closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "NullStore(" + sizeBytes + " bytes)";
    }
}
