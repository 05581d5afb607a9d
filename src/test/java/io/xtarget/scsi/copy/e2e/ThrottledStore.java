package io.xtarget.scsi.copy.e2e;

import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store whose writes, once armed, each wait a while before going through, so a large copy
 * into it is still running when the test aborts it. Nothing is asserted about time: the delay
 * only keeps the copy alive long enough for ABORT TASK to arrive.
 */
final class ThrottledStore extends io.xtarget.backend.ForwardingStore {
    private volatile long delayMillis;
    private volatile CountDownLatch firstWrite = new CountDownLatch(1);

    ThrottledStore(Store inner) {
        super(inner);
    }

    void arm(long millisPerWrite) {
        firstWrite = new CountDownLatch(1);
        delayMillis = millisPerWrite;
    }

    void disarm() {
        delayMillis = 0;
    }

    /** Waits until an armed write has started; false if {@code gaveUp} turned true first. */
    boolean awaitWrite(java.util.function.BooleanSupplier gaveUp) throws InterruptedException {
        while (!firstWrite.await(10, TimeUnit.MILLISECONDS)) {
            if (gaveUp.getAsBoolean()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        long d = delayMillis;
        if (d > 0) {
            firstWrite.countDown();
            try {
                TimeUnit.MILLISECONDS.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        inner.write(offset, src, fua);
    }

}
