package io.xtarget.scsi;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool of direct buffers in power-of-two size classes, so the data path neither allocates nor
 * zeroes a buffer per command. Buffers larger than the largest class are allocated and dropped.
 * Pooled buffers hold stale data: whoever takes one must fill every byte it exposes.
 */
public final class BufferPool {
    private static final int MIN_SHIFT = 12; // 4 KiB
    private static final int MAX_SHIFT = 24; // 16 MiB
    private static final int KEEP_PER_CLASS = 64;

    public static final BufferPool SHARED = new BufferPool();

    private final ConcurrentLinkedQueue<ByteBuffer>[] free;
    private final AtomicInteger[] kept;

    @SuppressWarnings("unchecked")
    public BufferPool() {
        int classes = MAX_SHIFT - MIN_SHIFT + 1;
        free = new ConcurrentLinkedQueue[classes];
        kept = new AtomicInteger[classes];
        for (int i = 0; i < classes; i++) {
            free[i] = new ConcurrentLinkedQueue<>();
            kept[i] = new AtomicInteger();
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
        int c = classOf(size);
        if (c >= free.length) {
            return ByteBuffer.allocateDirect(size);
        }
        ByteBuffer b = free[c].poll();
        if (b == null) {
            b = ByteBuffer.allocateDirect(1 << (c + MIN_SHIFT));
        } else {
            kept[c].decrementAndGet();
        }
        b.clear().limit(size);
        return b;
    }

    /** Returns a buffer taken from this pool; foreign or oversized buffers are dropped. */
    public void give(ByteBuffer b) {
        if (b == null || !b.isDirect()) {
            return;
        }
        int cap = b.capacity();
        if (Integer.bitCount(cap) != 1) {
            return;
        }
        int c = classOf(cap);
        if (c < free.length && kept[c].incrementAndGet() <= KEEP_PER_CLASS) {
            free[c].offer(b);
        } else if (c < free.length) {
            kept[c].decrementAndGet();
        }
    }
}
