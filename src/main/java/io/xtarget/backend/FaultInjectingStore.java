package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store wrapper that fails I/O on demand, for tests of mid-operation failures (e.g. an
 * EXTENDED COPY whose source dies half way). Faults are armed and disarmed at runtime:
 * <ul>
 *   <li>{@link #failReadsFrom}/{@link #failWritesFrom}: any access touching a byte at or beyond
 *       the offset fails, the bytes before it are untouched by the failing call;</li>
 *   <li>{@link #failReadsAfter}/{@link #failWritesAfter}: once that many bytes have been read
 *       (written) through the wrapper, any access that would exceed the budget fails.</li>
 * </ul>
 * The copy fast path honours the same faults: it copies up to the fault offset, then fails.
 */
public final class FaultInjectingStore extends ForwardingStore {
    private static final long NEVER = Long.MAX_VALUE;

    private volatile long readFailOffset = NEVER;
    private volatile long writeFailOffset = NEVER;
    private volatile long readBudget = NEVER;
    private volatile long writeBudget = NEVER;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();

    public FaultInjectingStore(Store inner) {
        super(inner);
    }

    public FaultInjectingStore failReadsFrom(long offset) {
        readFailOffset = offset;
        return this;
    }

    public FaultInjectingStore failWritesFrom(long offset) {
        writeFailOffset = offset;
        return this;
    }

    /** Reads fail once {@code bytes} more bytes have been read (counting from now). */
    public FaultInjectingStore failReadsAfter(long bytes) {
        readBudget = bytesRead.get() + bytes;
        return this;
    }

    /** Writes fail once {@code bytes} more bytes have been written (counting from now). */
    public FaultInjectingStore failWritesAfter(long bytes) {
        writeBudget = bytesWritten.get() + bytes;
        return this;
    }

    /** Disarms every fault. */
    public FaultInjectingStore clear() {
        readFailOffset = writeFailOffset = readBudget = writeBudget = NEVER;
        return this;
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        checkRead(offset, n);
        inner.read(offset, dst);
        bytesRead.addAndGet(n);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        int n = src.remaining();
        checkWrite(offset, n);
        inner.write(offset, src, fua);
        bytesWritten.addAndGet(n);
    }

    private void checkRead(long offset, long n) throws IOException {
        if (n > 0 && offset + n > readFailOffset) {
            throw new IOException("injected read failure at offset " + Math.max(offset, readFailOffset));
        }
        if (bytesRead.get() + n > readBudget) {
            throw new IOException("injected read failure after " + bytesRead.get() + " bytes");
        }
    }

    private void checkWrite(long offset, long n) throws IOException {
        if (n > 0 && offset + n > writeFailOffset) {
            throw new IOException("injected write failure at offset " + Math.max(offset, writeFailOffset));
        }
        if (bytesWritten.get() + n > writeBudget) {
            throw new IOException("injected write failure after " + bytesWritten.get() + " bytes");
        }
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        checkWrite(offset, length);
        inner.unmap(offset, length);
    }

    @Override
    public long copyTo(long srcOffset, Store dst, long dstOffset, long length) throws IOException {
        FaultInjectingStore wrappedDst = dst instanceof FaultInjectingStore f ? f : null;
        Store target = wrappedDst != null ? wrappedDst.inner : dst;
        // Shorten the copy so it ends just before the first faulty byte; a copy that would start
        // on it fails, as a read or write there would.
        long n = length;
        n = Math.min(n, Math.max(0, readFailOffset - srcOffset));
        n = Math.min(n, Math.max(0, readBudget - bytesRead.get()));
        if (wrappedDst != null) {
            n = Math.min(n, Math.max(0, wrappedDst.writeFailOffset - dstOffset));
            n = Math.min(n, Math.max(0, wrappedDst.writeBudget - wrappedDst.bytesWritten.get()));
        }
        if (n == 0 && length > 0) {
            checkRead(srcOffset, length);
            if (wrappedDst != null) {
                wrappedDst.checkWrite(dstOffset, length); // only a destination fault can be left
            }
        }
        long done = inner.copyTo(srcOffset, target, dstOffset, n);
        if (done > 0) {
            bytesRead.addAndGet(done);
            if (wrappedDst != null) {
                wrappedDst.bytesWritten.addAndGet(done);
            }
        }
        return done;
    }

}
