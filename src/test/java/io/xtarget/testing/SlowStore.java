package io.xtarget.testing;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A store whose writes (and, if asked, reads) pass one at a time at a set rate (each sleeps its
 * length / rate first), like a slow disk: concurrent callers share the rate. Everything goes
 * straight through while the rate is 0.
 */
public final class SlowStore extends ForwardingStore {
    private volatile long bytesPerSecond;
    private final boolean slowReads;

    public SlowStore(Store inner) {
        this(inner, 0, false);
    }

    /** @param slowReads reads share the rate too (else they go straight through) */
    public SlowStore(Store inner, long bytesPerSecond, boolean slowReads) {
        super(inner);
        this.bytesPerSecond = bytesPerSecond;
        this.slowReads = slowReads;
    }

    /** Sets the write rate in bytes per second; 0 for full speed. */
    public void bytesPerSecond(long rate) {
        this.bytesPerSecond = rate;
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        pass(src.remaining());
        inner.write(offset, src, fua);
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        if (!slowReads) {
            inner.read(offset, dst);
            return;
        }
        synchronized (this) {
            pass(dst.remaining());
            inner.read(offset, dst);
        }
    }

    private void pass(long bytes) throws IOException {
        long rate = bytesPerSecond;
        if (rate > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(bytes * 1_000_000L / rate);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }
}
