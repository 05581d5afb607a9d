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
 * OFFSET INTO ROD) laid onto the destination ranges, moved by the copy engine in slices so that
 * progress is always a contiguous prefix of the destination ranges, in whole bytes written.
 * Between slices the copy may be told to stop (time budget, COPY OPERATION ABORT, task abort,
 * shutdown); {@link #done} then says how far it got.
 */
final class TokenTransfer {
    /** Bytes per slice: large enough for the engine's pipeline (4 lanes x 1 MiB) and its fast paths. */
    static final long SLICE_BYTES = 16L << 20;
    /** Blocks deallocated per unmap call of the zero token, so a stop request is seen between calls. */
    static final long ZERO_UNMAP_BYTES = 1L << 30;

    /** Why a copy stopped before the end. */
    static final class Stopped extends Exception {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    private final CopyEngine engine;
    private final BooleanSupplier stop;
    private long done;
    private long fastPath;

    TokenTransfer(CopyEngine engine, BooleanSupplier stop) {
        this.engine = engine;
        this.stop = stop;
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

    /** Runs the plan slice by slice; throws {@link Stopped} when told to stop, IOException on a store error. */
    void run(List<Transfer> plan) throws IOException, Stopped {
        for (Transfer t : plan) {
            if (t.overlaps()) { // memmove order inside the engine; counted once whole
                checkStop();
                fastPath += engineRun(t);
                done += t.length();
                continue;
            }
            for (long off = 0; off < t.length(); off += SLICE_BYTES) {
                checkStop();
                long n = Math.min(SLICE_BYTES, t.length() - off);
                fastPath += engineRun(new Transfer(t.segment(), t.source(), t.sourceOffset() + off, t.destination(),
                        t.destinationOffset() + off, n));
                done += n;
            }
        }
    }

    private long engineRun(Transfer t) throws IOException, Stopped {
        try {
            return engine.run(t, n -> {}, stop);
        } catch (CopyEngine.StoppedException e) {
            throw new Stopped();
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
            for (long lba = first; lba < last; lba += step) {
                checkStop();
                long n = Math.min(step, last - lba);
                lu.unmap(lba, n);
                done += n * bs;
            }
            writeZeros(lu, last, end - last);
        }
    }

    private void writeZeros(LogicalUnit lu, long lba, long blocks) throws IOException, Stopped {
        if (blocks <= 0) {
            return;
        }
        checkStop();
        int n = (int) (blocks * lu.blockSize()); // less than one physical block
        lu.write(lba, ByteBuffer.allocate(n), false);
        done += n;
    }

    private void checkStop() throws Stopped {
        if (stop.getAsBoolean()) {
            throw new Stopped();
        }
    }
}
