package io.xtarget.e2e;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that starts reads and writes as librbd's aio does ({@link Store#startsIo}): they
 * complete on a thread of the store's own ("store-completion"), after a gate when it is shut;
 * every {@code declineEvery}th start is declined (the fabric must then run the command the
 * blocking way), and the next {@link #failNext} starts fail with an I/O error. Records the
 * threads that started I/O.
 */
public final class StartingStore extends ForwardingStore {
    private final ExecutorService completions;
    private final int declineEvery;
    /** Each completion waits a random 0-2 ms first (several threads: they complete out of order). */
    private final boolean jitter;
    /** Started writes whose source changed before the store wrote it (its buffer reused meanwhile). */
    final AtomicInteger sourceChanged = new AtomicInteger();
    /** Started operations not completed yet. */
    final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger declined = new AtomicInteger();
    final AtomicInteger failNext = new AtomicInteger();
    /** The next started operation fails with this (then it is cleared). */
    final java.util.concurrent.atomic.AtomicReference<IOException> failWith =
            new java.util.concurrent.atomic.AtomicReference<>();
    final AtomicInteger blockingWrites = new AtomicInteger();
    final Set<String> startingThreads = ConcurrentHashMap.newKeySet();
    private volatile CountDownLatch gate;
    final CountDownLatch reachedGate = new CountDownLatch(1);

    public StartingStore(Store inner, int declineEvery) {
        this(inner, declineEvery, 1, false);
    }

    /** Completing on {@code threads} threads, each completion after a random delay when {@code jitter}. */
    public StartingStore(Store inner, int declineEvery, int threads, boolean jitter) {
        super(inner);
        this.declineEvery = declineEvery;
        this.jitter = jitter;
        this.completions = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "store-completion");
            t.setDaemon(true);
            return t;
        });
    }

    /** Started I/O waits (on the completion thread) until {@link #open}. */
    void shut() {
        gate = new CountDownLatch(1);
    }

    void open() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    @Override
    public boolean startsIo() {
        return true;
    }

    @Override
    public CompletableFuture<Void> startRead(long offset, ByteBuffer dst) {
        return start(() -> inner.read(offset, dst));
    }

    @Override
    public CompletableFuture<Void> startWrite(long offset, ByteBuffer src, boolean fua) {
        int before = src.duplicate().hashCode(); // of the remaining bytes
        return start(() -> {
            if (src.duplicate().hashCode() != before) {
                sourceChanged.incrementAndGet();
            }
            inner.write(offset, src, fua);
        });
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        blockingWrites.incrementAndGet();
        super.write(offset, src, fua);
    }

    @FunctionalInterface
    private interface Io {
        void run() throws IOException;
    }

    private CompletableFuture<Void> start(Io io) {
        startingThreads.add(Thread.currentThread().getName());
        if (calls.incrementAndGet() % declineEvery == 0) {
            declined.incrementAndGet();
            return null;
        }
        started.incrementAndGet();
        inFlight.incrementAndGet();
        boolean fail = failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
        IOException failure = failWith.getAndSet(null);
        CompletableFuture<Void> f = new CompletableFuture<>();
        CountDownLatch g = gate;
        completions.execute(() -> {
            try {
                if (g != null) {
                    reachedGate.countDown();
                    g.await();
                }
                if (jitter) {
                    Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(3));
                }
                if (failure != null) {
                    throw failure;
                }
                if (fail) {
                    throw new IOException("injected I/O error");
                }
                io.run();
                inFlight.decrementAndGet();
                f.complete(null);
            } catch (IOException | RuntimeException e) {
                inFlight.decrementAndGet();
                f.completeExceptionally(e);
            } catch (InterruptedException e) {
                inFlight.decrementAndGet();
                f.completeExceptionally(new IOException("interrupted"));
            }
        });
        return f;
    }

    @Override
    public void close() throws IOException {
        open();
        completions.shutdown();
        inner.close();
    }
}
