package io.xtarget.e2e;

import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store wrapper whose writes, while the gate is closed, wait until it opens: holds commands
 * inside the target without timing, so a test can see what the target does with many of them
 * outstanding. Counts writes that reached the store.
 */
public final class GatedStore extends io.xtarget.backend.ForwardingStore {
    private final AtomicInteger writes = new AtomicInteger();
    private volatile CountDownLatch gate;
    private volatile CountDownLatch firstWrite = new CountDownLatch(1);

    public GatedStore(Store inner) {
        super(inner);
    }

    /** From now on writes wait until {@link #open()}. */
    public void shut() {
        firstWrite = new CountDownLatch(1);
        gate = new CountDownLatch(1);
    }

    public void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** Waits until a write has entered the store since the gate closed. */
    public void awaitFirstWrite() throws InterruptedException {
        firstWrite.await();
    }

    /** Waits at most {@code seconds} for a write to reach the store; false when none did. */
    public boolean awaitFirstWrite(long seconds) throws InterruptedException {
        return firstWrite.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }

    public int writes() {
        return writes.get();
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        writes.incrementAndGet();
        firstWrite.countDown();
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted at the gate");
            }
        }
        inner.write(offset, src, fua);
    }

    @Override
    public void close() throws IOException {
        open();
        inner.close();
    }
}
