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
 * Faults of the other kinds a store reports:
 * <ul>
 *   <li>{@link #failFlushes}: the next flushes fail like an fdatasync returning EIO, and so does
 *       the durability part of a FUA write (the data is written, then
 *       {@link FlushFailedException});</li>
 *   <li>{@link #noSpaceFrom}: writes touching a byte at or beyond the offset fail with
 *       {@link OutOfSpaceException}, like ENOSPC on a full file system;</li>
 *   <li>{@link #reportSpace}: {@link #spaceUsage} answers the given figures instead of the
 *       wrapped store's.</li>
 * </ul>
 */
public final class FaultInjectingStore extends ForwardingStore {
    private static final long NEVER = Long.MAX_VALUE;

    private volatile long readFailOffset = NEVER;
    private volatile long writeFailOffset = NEVER;
    private volatile long readBudget = NEVER;
    private volatile long writeBudget = NEVER;
    private volatile long noSpaceOffset = NEVER;
    private final java.util.concurrent.atomic.AtomicInteger flushFailures = new java.util.concurrent.atomic.AtomicInteger();
    private volatile SpaceUsage space;
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

    /** The next {@code count} flushes (and FUA writes' flushes) fail with an I/O error. */
    public FaultInjectingStore failFlushes(int count) {
        flushFailures.set(count);
        return this;
    }

    /** Writes touching a byte at or beyond {@code offset} fail as if the file system were full. */
    public FaultInjectingStore noSpaceFrom(long offset) {
        noSpaceOffset = offset;
        return this;
    }

    /** {@link #spaceUsage} answers {@code usage} (null: the wrapped store's own). */
    public FaultInjectingStore reportSpace(SpaceUsage usage) {
        space = usage;
        return this;
    }

    /** Disarms every fault (a reported space usage stays). */
    public FaultInjectingStore clear() {
        readFailOffset = writeFailOffset = readBudget = writeBudget = noSpaceOffset = NEVER;
        flushFailures.set(0);
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
        if (fua && takeFlushFailure()) {
            inner.write(offset, src, false);
            bytesWritten.addAndGet(n);
            throw new FlushFailedException("injected fdatasync failure: Input/output error",
                    new IOException("Input/output error"));
        }
        inner.write(offset, src, fua);
        bytesWritten.addAndGet(n);
    }

    @Override
    public void flush() throws IOException {
        if (takeFlushFailure()) {
            throw new IOException("injected fdatasync failure: Input/output error");
        }
        inner.flush();
    }

    private boolean takeFlushFailure() {
        return flushFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    @Override
    public SpaceUsage spaceUsage() throws IOException {
        SpaceUsage s = space;
        return s != null ? s : inner.spaceUsage();
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
        if (n > 0 && offset + n > noSpaceOffset) {
            throw new OutOfSpaceException("injected failure: No space left on device", null);
        }
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
            n = Math.min(n, Math.max(0, wrappedDst.noSpaceOffset - dstOffset));
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
