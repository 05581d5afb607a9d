package io.xtarget.scsi;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one logical unit's data path counts: bytes read and written (copies included), and the
 * store's recent latency for small I/O, an exponential moving average that tells a cached file
 * from a disk ({@link LuDataPath#fastIo}).
 */
final class LuIoStats {
    /** Above this average latency per 64 KiB or less, the store counts as slow (a disk, not a cache). */
    private static final long SLOW_IO_NANOS = 200_000;

    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    /** Recent read/write latency of the store, an exponential moving average in nanoseconds. */
    private volatile long ioNanos;

    void read(long bytes) {
        bytesRead.add(bytes);
    }

    void written(long bytes) {
        bytesWritten.add(bytes);
    }

    /** Folds one read or write into the latency average (only I/O of at most 64 KiB: large ones are slow anyway). */
    void sample(long startNanos, long bytes) {
        if (bytes <= 65536) {
            long d = System.nanoTime() - startNanos;
            ioNanos += (d - ioNanos) / 8;
        }
    }

    /** Whether the recent latency says small I/O is served from a cache. */
    boolean fast() {
        return ioNanos < SLOW_IO_NANOS;
    }

    long bytesRead() {
        return bytesRead.sum();
    }

    long bytesWritten() {
        return bytesWritten.sum();
    }
}
