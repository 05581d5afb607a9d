package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A store that passes geometry, reads, writes, flushes, space usage and close to another store, for wrappers
 * that change one aspect (fault injection, throttling, recording). {@link #unmap},
 * {@link #copyTo} and the optional native operations ({@link #writeSame},
 * {@link #compareAndWrite}) are deliberately not forwarded: they keep the {@link Store} defaults
 * (zeros written through {@link #write}; no fast path; no native operation, so the SCSI core
 * writes and compares through {@link #read} and {@link #write}), so a wrapper sees every byte
 * that moves unless it overrides them itself.
 */
public abstract class ForwardingStore implements Store {
    protected final Store inner;

    protected ForwardingStore(Store inner) {
        this.inner = inner;
    }

    public Store inner() {
        return inner;
    }

    @Override
    public int blockSize() {
        return inner.blockSize();
    }

    @Override
    public long sizeBytes() {
        return inner.sizeBytes();
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        inner.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        inner.write(offset, src, fua);
    }

    @Override
    public void flush() throws IOException {
        inner.flush();
    }

    @Override
    public SpaceUsage spaceUsage() throws IOException {
        return inner.spaceUsage();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    /** The wrapped store's description (it names the image or device), for logs. */
    @Override
    public String toString() {
        return inner.toString();
    }
}
