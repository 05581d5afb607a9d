package io.xtarget.scsi.copy;

import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.LogicalUnit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * Moves the bytes of one transfer through the LU data path every command uses
 * ({@link LogicalUnit#readBytes}/{@link LogicalUnit#writeBytes}), or through the store's copy
 * fast path when it has one.
 *
 * <p>The fallback is pipelined: up to {@link #LANES_PER_COPY} chunks of {@link #CHUNK_BYTES} are
 * in flight per transfer, so one chunk is read while another is written. Memory is bounded per
 * copy (lanes x chunk) and in total by a server-wide budget of buffer bytes; a lane waits for
 * budget rather than allocating past it. Overlapping ranges on one medium are copied one chunk
 * at a time in the direction that never overwrites unread source bytes (memmove semantics).
 *
 * <p>Chunk size: 1 MiB keeps per-call overhead (one read + one write call, a pool lookup) far
 * below the memcpy cost of the chunk for RAM and file stores, while 4 lanes x 1 MiB keep a copy's
 * footprint small enough for 32 concurrent copies inside the 64 MiB budget.
 */
public final class CopyEngine implements AutoCloseable {
    public static final int CHUNK_BYTES = 1 << 20;
    public static final int LANES_PER_COPY = 4;
    public static final int BUFFER_BUDGET_BYTES = 64 << 20;

    private final int chunkBytes;
    private final Semaphore budget;
    private final ExecutorService lanes = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    public CopyEngine() {
        this(CHUNK_BYTES, BUFFER_BUDGET_BYTES);
    }

    /** For tests: a small chunk makes a small copy span many chunks. */
    CopyEngine(int chunkBytes, int budgetBytes) {
        if (chunkBytes <= 0 || budgetBytes < chunkBytes) {
            throw new IllegalArgumentException("budget must hold at least one chunk");
        }
        this.chunkBytes = chunkBytes;
        this.budget = new Semaphore(budgetBytes);
    }

    /** A copy was stopped by a task abort or engine shutdown before it finished. */
    static final class StoppedException extends Exception {
        StoppedException() {
            super("copy stopped", null, false, false);
        }
    }

    /** Stops every running copy promptly (each reports how far it got) and refuses new ones. */
    @Override
    public void close() {
        closed = true;
        lanes.shutdown();
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Runs one transfer to completion.
     *
     * @param progress called with each block of bytes completed
     * @param stop polled between chunks; true stops the copy
     * @return bytes that went through the store fast path
     */
    long run(Transfer t, LongConsumer progress, BooleanSupplier stop) throws IOException, StoppedException {
        BooleanSupplier halt = () -> closed || stop.getAsBoolean();
        if (t.length() == 0) {
            return 0;
        }
        if (t.overlaps()) {
            sequential(t, progress, halt);
            return 0;
        }
        long fast = fastPath(t, progress, halt);
        if (fast < t.length()) {
            Transfer rest = new Transfer(t.segment(), t.source(), t.sourceOffset() + fast, t.destination(),
                    t.destinationOffset() + fast, t.length() - fast);
            pipelined(rest, progress, halt);
        } else if (!t.destination().mode().writeCacheEnabled) {
            // The fallback writes with FUA when WCE is off; the fast path gets the same durability here.
            t.destination().flush();
        }
        return fast;
    }

    private long fastPath(Transfer t, LongConsumer progress, BooleanSupplier halt)
            throws IOException, StoppedException {
        long done = 0;
        while (done < t.length()) {
            if (halt.getAsBoolean()) {
                throw new StoppedException();
            }
            long n = t.source().copyTo(t.sourceOffset() + done, t.destination(), t.destinationOffset() + done,
                    t.length() - done);
            if (n <= 0) {
                break; // no fast path for this pair (or no progress): fall back from here
            }
            done += n;
            progress.accept(n);
        }
        return done;
    }

    /** Overlapping ranges on one medium: one chunk at a time, backwards when the destination is ahead. */
    private void sequential(Transfer t, LongConsumer progress, BooleanSupplier halt)
            throws IOException, StoppedException {
        boolean backwards = t.destinationOffset() > t.sourceOffset();
        int size = chunkBytes;
        acquire(size, halt);
        ByteBuffer b = BufferPool.SHARED.take(size);
        try {
            long done = 0;
            while (done < t.length()) {
                if (halt.getAsBoolean()) {
                    throw new StoppedException();
                }
                int n = (int) Math.min(size, t.length() - done);
                long rel = backwards ? t.length() - done - n : done;
                moveChunk(t, rel, n, b);
                done += n;
                progress.accept(n);
            }
        } finally {
            BufferPool.SHARED.give(b);
            budget.release(size);
        }
    }

    private void pipelined(Transfer t, LongConsumer progress, BooleanSupplier halt)
            throws IOException, StoppedException {
        long chunks = (t.length() + chunkBytes - 1) / chunkBytes;
        int laneCount = (int) Math.min(LANES_PER_COPY, chunks);
        AtomicLong next = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Future<?>> running = new ArrayList<>(laneCount);
        try {
            for (int i = 0; i < laneCount; i++) {
                running.add(lanes.submit(() -> lane(t, chunks, next, failure, progress, halt)));
            }
        } catch (java.util.concurrent.RejectedExecutionException e) { // engine closed meanwhile
            failure.compareAndSet(null, new StoppedException());
        }
        for (Future<?> f : running) {
            awaitUninterruptibly(f);
        }
        Exception e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e instanceof StoppedException s) {
            throw s;
        }
        if (e != null) {
            throw new IOException("copy lane failed", e);
        }
    }

    private void lane(Transfer t, long chunks, AtomicLong next, AtomicReference<Exception> failure,
            LongConsumer progress, BooleanSupplier halt) {
        try {
            acquire(chunkBytes, halt);
        } catch (StoppedException e) {
            failure.compareAndSet(null, e);
            return;
        }
        ByteBuffer b = BufferPool.SHARED.take(chunkBytes);
        try {
            while (failure.get() == null) {
                long i = next.getAndIncrement();
                if (i >= chunks) {
                    return;
                }
                if (halt.getAsBoolean()) {
                    failure.compareAndSet(null, new StoppedException());
                    return;
                }
                long rel = i * chunkBytes;
                int n = (int) Math.min(chunkBytes, t.length() - rel);
                moveChunk(t, rel, n, b);
                progress.accept(n);
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            BufferPool.SHARED.give(b);
            budget.release(chunkBytes);
        }
    }

    private static void moveChunk(Transfer t, long rel, int n, ByteBuffer b) throws IOException {
        b.clear().limit(n);
        t.source().readBytes(t.sourceOffset() + rel, b);
        b.flip();
        t.destination().writeBytes(t.destinationOffset() + rel, b, false);
    }

    /** Takes buffer budget, giving up when the copy is stopped while it waits. */
    private void acquire(int bytes, BooleanSupplier halt) throws StoppedException {
        try {
            while (!budget.tryAcquire(bytes, 20, TimeUnit.MILLISECONDS)) {
                if (halt.getAsBoolean()) {
                    throw new StoppedException();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoppedException();
        }
    }

    private static void awaitUninterruptibly(Future<?> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // lanes record their own failures
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
