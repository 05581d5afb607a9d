package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.copy.RangeDescriptors.Range;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The data movement of one WRITE USING TOKEN: the ROD's bytes (the token's source ranges, from
 * OFFSET INTO ROD) laid onto the destination ranges and moved by the copy engine, in pieces sized
 * by the command's {@link CopyPace} (its time budget). Progress, {@link #done}, is the contiguous
 * prefix of the destination ranges (in range descriptor order) whose pieces have finished
 * writing: a piece written past one still in flight counts only once the gap is filled
 * ({@link WrittenPrefix}), so a copy that stops early never reports a block it did not write, nor
 * fewer than it wrote contiguously from the start. It stops early when told to (COPY OPERATION
 * ABORT, task abort, shutdown: polled between pieces), when the pace starts nothing more (the
 * budget), or on a store error; the pieces already started finish first.
 */
final class TokenTransfer {
    /**
     * Bytes per engine run: large enough for the engine's pipeline (4 lanes x 1 MiB) and its fast
     * paths, small enough that one fast-path call of an unlimited pace (IMMED=1) sees an abort soon.
     */
    static final long SLICE_BYTES = 16L << 20;
    /**
     * Bytes deallocated per unmap call of the zero token at most (the pace may hand out less), so
     * a stop request is seen between calls.
     */
    static final long ZERO_UNMAP_BYTES = 1L << 30;

    /** Why a copy stopped before the end. */
    static final class Stopped extends Exception {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    private final CopyEngine engine;
    private final BooleanSupplier stop;
    private final CopyPace pace;
    private long done;
    private long fastPath;

    /**
     * @param stop polled between pieces: true stops the copy (abort, shutdown)
     * @param pace sizes the pieces and stops the copy at its deadline ({@link CopyPace#UNLIMITED}: never)
     */
    TokenTransfer(CopyEngine engine, BooleanSupplier stop, CopyPace pace) {
        this.engine = engine;
        this.stop = stop;
        this.pace = pace;
    }

    /** Bytes written so far, contiguous from the start of the first destination range. */
    long done() {
        return done;
    }

    long fastPathBytes() {
        return fastPath;
    }

    /**
     * The transfers that lay {@code length} bytes of the token's ROD, from {@code rodOffset}, onto
     * {@code ranges} of {@code dst}, in destination order. The caller keeps {@code length} within
     * both the ROD and the destination ranges.
     */
    static List<Transfer> plan(RodToken token, long rodOffset, LogicalUnit dst, List<Range> ranges, long length) {
        List<Transfer> out = new ArrayList<>();
        List<Range> src = token.ranges();
        int sbs = token.sourceBlockSize();
        int dbs = dst.blockSize();
        int si = 0;
        long sUsed = rodOffset; // bytes into source range si
        while (si < src.size() && sUsed >= src.get(si).blocks() * sbs) {
            sUsed -= src.get(si).blocks() * sbs;
            si++;
        }
        long left = length;
        for (Range d : ranges) {
            long dUsed = 0;
            long dBytes = d.blocks() * dbs;
            while (left > 0 && dUsed < dBytes) {
                Range s = src.get(si);
                long n = Math.min(left, Math.min(dBytes - dUsed, s.blocks() * sbs - sUsed));
                out.add(new Transfer(out.size(), token.source(), s.lba() * sbs + sUsed, dst, d.lba() * dbs + dUsed, n));
                dUsed += n;
                sUsed += n;
                left -= n;
                if (sUsed == s.blocks() * sbs) {
                    si++;
                    sUsed = 0;
                }
            }
            if (left == 0) {
                break;
            }
        }
        return out;
    }

    /**
     * Runs the plan in destination order, in slices of {@link #SLICE_BYTES} (a transfer that
     * overlaps its source on one medium whole, as the engine must order it); throws
     * {@link Stopped} when told to stop or the pace starts nothing more, IOException on a store
     * error, with {@link #done} at the written prefix either way.
     */
    void run(List<Transfer> plan) throws IOException, Stopped {
        for (Transfer t : plan) {
            long step = t.overlaps() ? t.length() : SLICE_BYTES;
            for (long off = 0; off < t.length(); off += step) {
                checkStop();
                long n = Math.min(step, t.length() - off);
                engineRun(new Transfer(t.segment(), t.source(), t.sourceOffset() + off, t.destination(),
                        t.destinationOffset() + off, n));
            }
        }
    }

    /** One engine run; {@link #done} grows by its written prefix, whole when it finished. */
    private void engineRun(Transfer t) throws IOException, Stopped {
        WrittenPrefix written = new WrittenPrefix();
        try {
            fastPath += engine.run(t, written::add, stop, pace);
        } catch (CopyEngine.StoppedException e) {
            throw new Stopped();
        } finally {
            done += written.length();
        }
    }

    /**
     * Writes zeros to the ranges (the block device zero ROD token): the whole physical blocks of
     * each range are deallocated as UNMAP does (LBPRZ=1, they read back as zeros), the logical
     * blocks of a physical block a range covers only in part are written with zeros (as WRITE
     * SAME with UNMAP=1 does it, SBC-3 5.42).
     */
    void zero(LogicalUnit lu, List<Range> ranges) throws IOException, Stopped {
        int bs = lu.blockSize();
        long g = lu.logicalPerPhysical();
        for (Range r : ranges) {
            long end = r.lba() + r.blocks();
            long first = Math.min(end, (r.lba() + g - 1) & -g);
            long last = end == lu.blockCount() ? end : Math.max(first, end & -g);
            writeZeros(lu, r.lba(), first - r.lba());
            long step = Math.max(g, ZERO_UNMAP_BYTES / bs / g * g);
            for (long lba = first; lba < last; ) {
                long n = claim(Math.min(step, last - lba) * bs, (int) (g * bs)) / bs;
                boolean moved = false;
                try {
                    lu.unmap(lba, n);
                    moved = true;
                } finally {
                    pace.finished(n * bs, moved ? n * bs : 0);
                }
                lba += n;
                done += n * bs;
            }
            writeZeros(lu, last, end - last);
        }
    }

    private void writeZeros(LogicalUnit lu, long lba, long blocks) throws IOException, Stopped {
        if (blocks <= 0) {
            return;
        }
        int n = (int) (blocks * lu.blockSize()); // less than one physical block
        claim(n, n);
        boolean moved = false;
        try {
            lu.write(lba, ByteBuffer.allocate(n), false);
            moved = true;
        } finally {
            pace.finished(n, moved ? n : 0);
        }
        done += n;
    }

    /** The next piece of the zero token's work from the pace, after the stop check; Stopped when none. */
    private long claim(long max, int align) throws Stopped {
        checkStop();
        long n = pace.claim(max, align, 1);
        if (n == 0) {
            throw new Stopped();
        }
        return n;
    }

    private void checkStop() throws Stopped {
        if (stop.getAsBoolean()) {
            throw new Stopped();
        }
    }
}
