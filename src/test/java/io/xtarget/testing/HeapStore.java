package io.xtarget.testing;

import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A tiny heap-backed store for unit tests of command sets; optionally fails I/O past an offset. */
public final class HeapStore implements Store {
    private final byte[] bytes;
    private final int blockSize;
    private volatile long failFrom = Long.MAX_VALUE;

    public HeapStore(int blockSize, long blocks) {
        this.blockSize = blockSize;
        this.bytes = new byte[Math.toIntExact(blockSize * blocks)];
    }

    /** Every read or write touching a byte at or beyond {@code offset} throws IOException. */
    public void failFrom(long offset) {
        this.failFrom = offset;
    }

    public byte[] bytes() {
        return bytes;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long sizeBytes() {
        return bytes.length;
    }

    @Override
    public String kind() {
        return "heap";
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        check(offset, n);
        dst.put(bytes, (int) offset, n);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int n = src.remaining();
        check(offset, n);
        src.get(bytes, (int) offset, n);
    }

    private void check(long offset, int n) throws IOException {
        if (offset < 0 || offset + n > bytes.length) {
            throw new IOException("out of range");
        }
        if (offset + n > failFrom) {
            throw new IOException("injected failure");
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
