package io.xtarget.scsi.copy;

import java.util.concurrent.atomic.LongAdder;

/** Server-wide copy counters, for the status command. */
public final class CopyStats {
    private final LongAdder copies = new LongAdder();
    private final LongAdder succeeded = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder bytesOffloaded = new LongAdder();
    private final LongAdder fastPathBytes = new LongAdder();
    private final LongAdder tokensCreated = new LongAdder();
    private final LongAdder tokensUsed = new LongAdder();
    private final LongAdder tokensExpired = new LongAdder();
    private final LongAdder tokenBytes = new LongAdder();
    private final LongAdder zeroTokenBytes = new LongAdder();

    /** A consistent-enough view of the counters. */
    public record Snapshot(long copies, long succeeded, long failures, long bytesOffloaded, long fastPathBytes) {}

    /**
     * Token copy counters (POPULATE TOKEN / WRITE USING TOKEN): tokens created, tokens used by a
     * WRITE USING TOKEN, tokens that ended by inactivity, bytes written from tokens, bytes zeroed
     * with the block device zero ROD token.
     */
    public record Tokens(long created, long used, long expired, long bytesCopied, long bytesZeroed) {}

    void tokenCreated() {
        tokensCreated.increment();
    }

    void tokenUsed() {
        tokensUsed.increment();
    }

    void tokenExpired() {
        tokensExpired.increment();
    }

    void tokenBytes(long copied, long zeroed) {
        tokenBytes.add(copied);
        zeroTokenBytes.add(zeroed);
    }

    public Tokens tokens() {
        return new Tokens(tokensCreated.sum(), tokensUsed.sum(), tokensExpired.sum(), tokenBytes.sum(),
                zeroTokenBytes.sum());
    }

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
                + " bytesOffloaded=" + s.bytesOffloaded() + " fastPathBytes=" + s.fastPathBytes() + " " + tokens();
    }
}
