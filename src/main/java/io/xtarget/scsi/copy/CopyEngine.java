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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

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
 * <p>A {@link CopyPace} sizes the pieces: {@link CopyPace#UNLIMITED} hands out whole chunks (and
 * the whole rest of a transfer to the fast path); a budgeted pace (a synchronous WRITE USING TOKEN)
 * hands out pieces no longer than the rate it measured allows, and none that would not finish in
 * time, so a slow store cannot hold a command past its budget with chunks in flight.
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

    /** Told of each piece of a transfer that went through, as the pieces finish (in any order across lanes). */
    @FunctionalInterface
    interface Progress {
        /**
         * @param at bytes from the start of the transfer
         * @param bytes length of the piece
         */
        void moved(long at, long bytes);
    }

    /** Runs one transfer to completion, in pieces of up to one chunk (see the other {@code run}). */
    long run(Transfer t, Progress progress, BooleanSupplier stop) throws IOException, StoppedException {
        return run(t, progress, stop, CopyPace.UNLIMITED);
    }

    /**
     * Runs one transfer to completion, or as far as {@code pace} lets it: each piece (one read and
     * one write, or one fast-path call) is as large as the pace allows, at most one chunk (the
     * fast path: the rest of the transfer), a multiple of the larger block size of the two LUs.
     *
     * @param progress told of every piece that went through, with its place in the transfer
     * @param stop polled between pieces; true stops the copy
     * @param pace sizes the pieces; a pace that hands out nothing more stops the copy as {@code stop} does
     * @return bytes that went through the store fast path
     * @throws StoppedException stopped (by {@code stop}, {@code pace} or {@link #close}) before the
     *     end; the pieces already handed out have finished and been reported
     */
    long run(Transfer t, Progress progress, BooleanSupplier stop, CopyPace pace)
            throws IOException, StoppedException {
        BooleanSupplier halt = () -> closed || stop.getAsBoolean();
        if (t.length() == 0) {
            return 0;
        }
        if (t.overlaps()) {
            sequential(t, progress, halt, pace);
            return 0;
        }
        long fast = fastPath(t, progress, halt, pace);
        if (fast < t.length()) {
            Transfer rest = new Transfer(t.segment(), t.source(), t.sourceOffset() + fast, t.destination(),
                    t.destinationOffset() + fast, t.length() - fast);
            pipelined(rest, (at, n) -> progress.moved(fast + at, n), halt, pace);
        } else if (!t.destination().mode().writeCacheEnabled) {
            // The fallback writes with FUA when WCE is off; the fast path gets the same durability here.
            t.destination().flush();
        }
        return fast;
    }

    private static int align(Transfer t) {
        return Math.max(t.source().blockSize(), t.destination().blockSize());
    }

    private long fastPath(Transfer t, Progress progress, BooleanSupplier halt, CopyPace pace)
            throws IOException, StoppedException {
        long done = 0;
        while (done < t.length()) {
            if (halt.getAsBoolean()) {
                throw new StoppedException();
            }
            long want = pace.claim(t.length() - done, align(t), 1);
            if (want == 0) {
                throw new StoppedException();
            }
            long n = -1;
            try {
                n = t.source().copyTo(t.sourceOffset() + done, t.destination(), t.destinationOffset() + done, want);
            } finally {
                pace.finished(want, Math.max(0, n));
            }
            if (n <= 0) {
                break; // no fast path for this pair (or no progress): fall back from here
            }
            progress.moved(done, n);
            done += n;
        }
        return done;
    }

    /** Overlapping ranges on one medium: one piece at a time, backwards when the destination is ahead. */
    private void sequential(Transfer t, Progress progress, BooleanSupplier halt, CopyPace pace)
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
                int n = (int) pace.claim(Math.min(size, t.length() - done), align(t), 1);
                if (n == 0) {
                    throw new StoppedException();
                }
                long rel = backwards ? t.length() - done - n : done;
                movePiece(t, rel, n, b, pace);
                done += n;
                progress.moved(rel, n);
            }
        } finally {
            BufferPool.SHARED.give(b);
            budget.release(size);
        }
    }

    /** One piece of a pipelined transfer: {@code length} bytes at {@code at}; length 0: the pace stops here. */
    private record Piece(long at, long length) {}

    /** Hands the lanes of one transfer consecutive pieces, sized by the pace. */
    private static final class Cursor {
        private final Transfer t;
        private final int chunkBytes;
        private final int lanes;
        private long next;

        Cursor(Transfer t, int chunkBytes, int lanes) {
            this.t = t;
            this.chunkBytes = chunkBytes;
            this.lanes = lanes;
        }

        /** The next piece, a zero-length one when the pace hands out nothing more, null when all are handed out. */
        synchronized Piece take(CopyPace pace) {
            if (next >= t.length()) {
                return null;
            }
            long n = pace.claim(Math.min(chunkBytes, t.length() - next), align(t), lanes);
            Piece p = new Piece(next, n);
            next += n;
            return p;
        }
    }

    private void pipelined(Transfer t, Progress progress, BooleanSupplier halt, CopyPace pace)
            throws IOException, StoppedException {
        long chunks = (t.length() + chunkBytes - 1) / chunkBytes;
        int laneCount = (int) Math.min(LANES_PER_COPY, chunks);
        Cursor cursor = new Cursor(t, chunkBytes, laneCount);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Future<?>> running = new ArrayList<>(laneCount);
        try {
            for (int i = 0; i < laneCount; i++) {
                running.add(lanes.submit(() -> lane(t, cursor, failure, progress, halt, pace)));
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

    private void lane(Transfer t, Cursor cursor, AtomicReference<Exception> failure, Progress progress,
            BooleanSupplier halt, CopyPace pace) {
        try {
            acquire(chunkBytes, halt);
        } catch (StoppedException e) {
            failure.compareAndSet(null, e);
            return;
        }
        ByteBuffer b = BufferPool.SHARED.take(chunkBytes);
        try {
            while (failure.get() == null) {
                if (halt.getAsBoolean()) {
                    failure.compareAndSet(null, new StoppedException());
                    return;
                }
                Piece p = cursor.take(pace);
                if (p == null) {
                    return;
                }
                if (p.length() == 0) {
                    failure.compareAndSet(null, new StoppedException());
                    return;
                }
                movePiece(t, p.at(), (int) p.length(), b, pace);
                progress.moved(p.at(), p.length());
            }
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            BufferPool.SHARED.give(b);
            budget.release(chunkBytes);
        }
    }

    /** Moves one claimed piece and reports it to the pace, done or failed. */
    private static void movePiece(Transfer t, long rel, int n, ByteBuffer b, CopyPace pace) throws IOException {
        boolean moved = false;
        try {
            moveChunk(t, rel, n, b);
            moved = true;
        } finally {
            pace.finished(n, moved ? n : 0);
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
