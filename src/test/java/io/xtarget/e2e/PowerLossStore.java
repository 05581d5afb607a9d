package io.xtarget.e2e;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volatile write cache below xtarget, for simulated power loss: the wrapped store is the
 * durable medium, and a write reaches it only when the {@link Store} contract says the data must
 * be durable, which is what the real {@code FileStore} guarantees and nothing more:
 * <ul>
 *   <li>{@code write(.., fua=false)} lands in an in-memory overlay of whole blocks (a partly
 *       written block is merged with its current content); reads see the overlay over the medium;</li>
 *   <li>{@code write(.., fua=true)} (a FUA write, or any write while the LU's WCE is 0: the LU
 *       passes {@code fua || !WCE}) goes to the medium and is flushed before it returns, like
 *       {@code FileStore}'s pwrite + fdatasync; older overlay content under it is replaced;</li>
 *   <li>{@link #flush()} (SYNCHRONIZE CACHE) writes the whole overlay to the medium, then
 *       flushes it (fdatasync);</li>
 *   <li>{@link Power#cut()} drops every overlay of the stores on that supply at one instant; any
 *       call from then on fails with an I/O error. A call that returned before the cut is
 *       complete (the cut waits for calls in progress: a flush or FUA write either finished
 *       before the power went, or fails).</li>
 * </ul>
 * UNMAP writes zeros through {@link #write} (the {@link ForwardingStore} default), so it is cached
 * like any plain write; there is no copy fast path, so EXTENDED COPY data moves through here too.
 *
 * <p>{@link Mode#IGNORES_FLUSH} and {@link Mode#IGNORES_FUA} are lying disks that acknowledge
 * flushes, or FUA (and so write-through) writes, without making anything durable. They exist to
 * show that a test built on this wrapper can fail.
 *
 * <p>Not modelled: torn or partly written blocks (a block is in the overlay or on the medium,
 * whole), write-back of the overlay at arbitrary times before a flush (a real cache may make a
 * write durable early; this one never does, which only makes loss more likely), and file system
 * metadata (the medium is the image file, whose page cache survives: the test proves that xtarget
 * asks for durability where it must, and {@code FileStore} turns that into fdatasync).
 */
public final class PowerLossStore extends ForwardingStore {

    public enum Mode {
        /** Flushes and FUA writes reach the medium. */
        HONEST,
        /** A flush is acknowledged and does nothing. */
        IGNORES_FLUSH,
        /** A FUA write is cached like a plain write. */
        IGNORES_FUA
    }

    /** The power supply of some stores: cut at once for all of them. */
    public static final class Power {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private final List<PowerLossStore> stores = new CopyOnWriteArrayList<>();
        private volatile boolean off;
        private final AtomicLong refused = new AtomicLong();
        private volatile long droppedBlocks;

        /**
         * Power goes off: waits for the store calls in progress, drops every overlay and fails
         * every later call. Returns the number of cached blocks lost.
         */
        public long cut() {
            lock.writeLock().lock();
            try {
                if (!off) {
                    off = true;
                    for (PowerLossStore s : stores) {
                        droppedBlocks += s.drop();
                    }
                }
                return droppedBlocks;
            } finally {
                lock.writeLock().unlock();
            }
        }

        public boolean isOff() {
            return off;
        }

        /** Store calls refused because the power was off. */
        public long refused() {
            return refused.get();
        }

        /** Cached (unflushed) blocks dropped by the cut. */
        public long droppedBlocks() {
            return droppedBlocks;
        }
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws IOException;
    }

    private final Power power;
    private final Mode mode;
    private final int bs;
    /** Block number to its cached content ({@code bs} bytes); guarded by itself, as is every transfer to the medium. */
    private final Map<Long, byte[]> overlay = new HashMap<>();
    private final AtomicLong cachedWrites = new AtomicLong();
    private final AtomicLong durableWrites = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong ignored = new AtomicLong();

    public PowerLossStore(Store inner, Power power, Mode mode) {
        super(inner);
        this.power = power;
        this.mode = mode;
        this.bs = inner.blockSize();
        power.stores.add(this);
    }

    private <T> T powered(IoCall<T> call) throws IOException {
        Lock l = power.lock.readLock();
        l.lock();
        try {
            if (power.off) {
                power.refused.incrementAndGet();
                throw new IOException("power lost: " + inner);
            }
            return call.run();
        } finally {
            l.unlock();
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        powered(() -> {
            synchronized (overlay) {
                ByteBuffer view = dst.duplicate();
                int start = dst.position();
                int len = dst.remaining();
                inner.read(offset, dst);
                for (long b = offset / bs; b * bs < offset + len; b++) {
                    byte[] cached = overlay.get(b);
                    if (cached != null) {
                        long from = Math.max(offset, b * bs);
                        long to = Math.min(offset + len, (b + 1) * bs);
                        view.put(start + (int) (from - offset), cached, (int) (from - b * bs), (int) (to - from));
                    }
                }
            }
            return null;
        });
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        powered(() -> {
            if (fua && mode != Mode.IGNORES_FUA) {
                synchronized (overlay) {
                    patchOverlay(offset, src.duplicate(), true);
                    inner.write(offset, src, false);
                }
                inner.flush(); // outside the overlay lock: what reached the medium is made durable
                durableWrites.incrementAndGet();
            } else {
                synchronized (overlay) {
                    patchOverlay(offset, src, false);
                }
                (fua ? ignored : cachedWrites).incrementAndGet();
            }
            return null;
        });
    }

    /**
     * Puts {@code src} into the overlay, or (when {@code onlyCached}) only into blocks already
     * cached, dropping those it covers whole: the medium gets the rest. Advances {@code src}.
     */
    private void patchOverlay(long offset, ByteBuffer src, boolean onlyCached) throws IOException {
        long end = offset + src.remaining();
        for (long b = offset / bs; b * bs < end; b++) {
            long from = Math.max(offset, b * bs);
            long to = Math.min(end, (b + 1) * bs);
            byte[] block = overlay.get(b);
            boolean whole = to - from == bs;
            if (onlyCached && (block == null || whole)) {
                overlay.remove(b);
                src.position(src.position() + (int) (to - from));
                continue;
            }
            if (block == null) {
                block = new byte[bs];
                if (!whole) {
                    inner.read(b * bs, ByteBuffer.wrap(block));
                }
                overlay.put(b, block);
            }
            src.get(block, (int) (from - b * bs), (int) (to - from));
        }
    }

    @Override
    public void flush() throws IOException {
        powered(() -> {
            if (mode == Mode.IGNORES_FLUSH) {
                ignored.incrementAndGet();
                return null;
            }
            synchronized (overlay) {
                for (Map.Entry<Long, byte[]> e : overlay.entrySet()) {
                    inner.write(e.getKey() * bs, ByteBuffer.wrap(e.getValue()), false);
                }
                overlay.clear();
            }
            inner.flush();
            flushes.incrementAndGet();
            return null;
        });
    }

    private int drop() {
        synchronized (overlay) {
            int n = overlay.size();
            overlay.clear();
            return n;
        }
    }

    /** Closing without a cut is a power loss too: nothing cached reaches the medium. */
    @Override
    public void close() throws IOException {
        power.cut();
        inner.close();
    }

    /** Counts: plain writes cached, FUA writes made durable, flushes done, flushes or FUA writes ignored (lying). */
    public String stats() {
        return "cached writes " + cachedWrites + ", durable writes " + durableWrites + ", flushes " + flushes
                + (mode == Mode.HONEST ? "" : ", ignored " + (mode == Mode.IGNORES_FLUSH ? "flushes " : "FUA ") + ignored);
    }
}
