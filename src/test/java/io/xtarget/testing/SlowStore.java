package io.xtarget.testing;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A store whose writes pass one at a time at a set rate (each sleeps its length / rate first), like
 * a slow disk: concurrent writers share the rate. Reads, and writes while the rate is 0, go
 * straight through.
 */
public final class SlowStore extends ForwardingStore {
    private volatile long bytesPerSecond;

    public SlowStore(Store inner) {
        super(inner);
    }

    public SlowStore(Store inner, long bytesPerSecond) {
        super(inner);
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Sets the write rate in bytes per second; 0 for full speed. */
    public void bytesPerSecond(long rate) {
        this.bytesPerSecond = rate;
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        long rate = bytesPerSecond;
        if (rate > 0) {
            try {
                TimeUnit.MICROSECONDS.sleep(src.remaining() * 1_000_000L / rate);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        inner.write(offset, src, fua);
    }
}
