package io.xtarget.scsi;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Data buffers for commands. Up to {@link #LARGE} bytes: direct buffers in power-of-two size
 * classes, kept for reuse so the data path neither allocates nor zeroes a buffer per command;
 * the pool keeps at most {@link #KEEP_BYTES} in all, so memory held between bursts stays
 * bounded. Larger buffers are lazily committed mappings ({@link LazyMemory}): their memory
 * follows the data written into them and goes back to the system when they are given back.
 * Pooled buffers hold stale data: whoever takes one must fill every byte it exposes.
 */
public final class BufferPool {
    private static final int MIN_SHIFT = 12; // 4 KiB
    /** Largest pooled size; anything larger is a lazily committed mapping. */
    public static final int LARGE = 1 << 20;
    private static final int MAX_SHIFT = 20;
    /** Bytes the pool keeps for reuse, all classes together. */
    static final long KEEP_BYTES = 64L << 20;

    public static final BufferPool SHARED = new BufferPool();

    private final ConcurrentLinkedQueue<ByteBuffer>[] free;
    private final AtomicLong kept = new AtomicLong();
    private final LazyMemory lazy = new LazyMemory();

    @SuppressWarnings("unchecked")
    public BufferPool() {
        int classes = MAX_SHIFT - MIN_SHIFT + 1;
        free = new ConcurrentLinkedQueue[classes];
        for (int i = 0; i < classes; i++) {
            free[i] = new ConcurrentLinkedQueue<>();
        }
    }

    private static int classOf(int size) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(1, size) - 1));
        return shift - MIN_SHIFT;
    }

    /** A buffer with position 0 and limit {@code size}; contents are unspecified. */
    public ByteBuffer take(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size");
        }
        if (size > LARGE) {
            return lazy.take(size);
        }
        int c = classOf(size);
        ByteBuffer b = free[c].poll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(1 << (c + MIN_SHIFT));
        } else {
            kept.addAndGet(-b.capacity());
        }
        b.clear().limit(size);
        return b;
    }

    /** Returns a buffer taken from this pool; foreign buffers are dropped. Null is ignored. */
    public void give(ByteBuffer b) {
        if (b == null || !b.isDirect()) {
            return;
        }
        int cap = b.capacity();
        if (cap > LARGE) {
            lazy.give(b);
            return;
        }
        if (Integer.bitCount(cap) != 1 || cap < (1 << MIN_SHIFT)) {
            return;
        }
        if (kept.addAndGet(cap) <= KEEP_BYTES) {
            free[classOf(cap)].offer(b);
        } else {
            kept.addAndGet(-cap);
        }
    }

    /** Bytes kept for reuse now. */
    public long keptBytes() {
        return kept.get();
    }
}
