package io.xtarget.scsi.copy;

import java.util.concurrent.atomic.LongAdder;

/** Server-wide copy counters, for the status command. */
public final class CopyStats {
    private final LongAdder copies = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder bytesOffloaded = new LongAdder();
    private final LongAdder fastPathBytes = new LongAdder();

    /** A consistent-enough view of the counters. */
    public record Snapshot(long copies, long succeeded, long failures, long bytesOffloaded, long fastPathBytes) {}

    void started() {
        copies.increment();
    }

    void succeeded() {
        succeeded.increment();
    }

    void failed() {
        failures.increment();
    }

    void bytes(long n, long viaFastPath) {
        bytesOffloaded.add(n);
        fastPathBytes.add(viaFastPath);
    }

    public Snapshot snapshot() {
        return new Snapshot(copies.sum(), succeeded.sum(), failures.sum(), bytesOffloaded.sum(), fastPathBytes.sum());
    }

    @Override
    public String toString() {
        Snapshot s = snapshot();
        return "copies=" + s.copies() + " succeeded=" + s.succeeded() + " failed=" + s.failures()
                + " bytesOffloaded=" + s.bytesOffloaded() + " fastPathBytes=" + s.fastPathBytes();
    }
}
