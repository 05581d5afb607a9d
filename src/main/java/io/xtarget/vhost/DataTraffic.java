package io.xtarget.vhost;

import java.util.concurrent.atomic.LongAdder;

/**
 * Command data one controller moved between guest memory and the stores, in bytes, by how it
 * went: placed directly (the store read into, or wrote from, the guest's descriptors) or copied
 * through a buffer of ours (parameter lists, data-in the handler builds, a store that was handed
 * one buffer). Counters only ever grow; they survive front-ends, so a test or an operator sees
 * the bytes copied per I/O as the difference of two readings.
 */
final class DataTraffic {
    private final LongAdder direct = new LongAdder();
    private final LongAdder copied = new LongAdder();

    void direct(long bytes) {
        direct.add(bytes);
    }

    void copied(long bytes) {
        copied.add(bytes);
    }

    /** Bytes the stores read into or wrote from guest memory with no buffer in between. */
    long directBytes() {
        return direct.sum();
    }

    /** Bytes copied between guest memory and a buffer of ours. */
    long copiedBytes() {
        return copied.sum();
    }

    @Override
    public String toString() {
        return "direct " + directBytes() + " B, copied " + copiedBytes() + " B";
    }
}
