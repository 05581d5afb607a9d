package io.xtarget.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * One block range to copy, checked against both LUs' capacities ({@link #fit}); and split into
 * block-to-block segments (SPC-4 6.4.6.5) that a copy manager with
 * the given limits accepts: NUMBER OF BLOCKS is 16 bits and counts source blocks (DC=0), each
 * segment stays within MAXIMUM SEGMENT LENGTH, and every segment moves a whole number of
 * destination blocks so no segment is inexact.
 */
record CopyRange(long srcLba, long dstLba, long blocks, int srcBlockSize, int dstBlockSize) {

    /** One 02h segment: source blocks, source LBA, destination LBA. */
    record Segment(int blocks, long srcLba, long dstLba) {}

    static final int MAX_SEGMENT_BLOCKS = 0xFFFF;

    long bytes() {
        return blocks * srcBlockSize;
    }

    /**
     * The range {@code xtarget xcopy} copies: {@code blocks} source blocks from {@code srcLba} to
     * {@code dstLba}, or with {@code blocks} null the rest of the source, capped to the destination.
     *
     * @param srcCap {block count, block size} of the source (READ CAPACITY)
     * @param dstCap the same of the destination
     * @throws IllegalArgumentException naming the reason when it does not fit
     */
    static CopyRange fit(long srcLba, long dstLba, Long blocks, long[] srcCap, long[] dstCap) {
        int sbs = (int) srcCap[1];
        int dbs = (int) dstCap[1];
        if (srcLba >= srcCap[0]) {
            throw new IllegalArgumentException("--src-lba " + srcLba + " is past the source's " + srcCap[0] + " blocks");
        }
        if (dstLba >= dstCap[0]) {
            throw new IllegalArgumentException("--dst-lba " + dstLba + " is past the destination's " + dstCap[0]
                    + " blocks");
        }
        long dstRoom = Math.multiplyHigh(dstCap[0] - dstLba, dbs) != 0 ? Long.MAX_VALUE
                : (dstCap[0] - dstLba) * dbs / sbs;
        long n = blocks != null ? blocks : Math.min(srcCap[0] - srcLba, dstRoom);
        if (n > srcCap[0] - srcLba) {
            throw new IllegalArgumentException(n + " blocks from LBA " + srcLba + " run past the source's "
                    + srcCap[0] + " blocks");
        }
        if (n > dstRoom) {
            throw new IllegalArgumentException(n + " blocks do not fit the destination after LBA " + dstLba);
        }
        return new CopyRange(srcLba, dstLba, n, sbs, dbs);
    }

    /**
     * The range {@code xtarget xcopy --zero} writes: {@code blocks} blocks from {@code lba}, or
     * with {@code blocks} null the rest of the LU (source and destination are the same).
     *
     * @throws IllegalArgumentException naming the reason when it does not fit
     */
    static CopyRange ofDestination(long lba, Long blocks, long[] cap) {
        if (lba >= cap[0]) {
            throw new IllegalArgumentException("--dst-lba " + lba + " is past the destination's " + cap[0] + " blocks");
        }
        long n = blocks != null ? blocks : cap[0] - lba;
        if (n > cap[0] - lba) {
            throw new IllegalArgumentException(n + " blocks from LBA " + lba + " run past the destination's "
                    + cap[0] + " blocks");
        }
        return new CopyRange(lba, lba, n, (int) cap[1], (int) cap[1]);
    }

    /**
     * The smallest number of bytes every piece of the copy must be a multiple of: a whole number
     * of blocks of both LUs (both sizes are powers of two, so the larger).
     *
     * @throws IllegalArgumentException when the range itself is not
     */
    long unit() {
        long unit = Math.max(srcBlockSize, dstBlockSize);
        if (bytes() % unit != 0) {
            throw new IllegalArgumentException(blocks + " blocks of " + srcBlockSize
                    + " bytes are not a whole number of " + dstBlockSize + "-byte destination blocks");
        }
        return unit;
    }

    /**
     * @throws IllegalArgumentException naming the reason when the range cannot be expressed
     */
    List<Segment> split(CopyManagerLimits limits) {
        long unit = unit();
        long perSegment = (long) MAX_SEGMENT_BLOCKS * srcBlockSize;
        if (limits.maxSegmentBytes() > 0) {
            perSegment = Math.min(perSegment, limits.maxSegmentBytes());
        }
        perSegment -= perSegment % unit;
        if (perSegment <= 0) {
            throw new IllegalArgumentException("the target's maximum segment length (" + limits.maxSegmentBytes()
                    + " bytes) is smaller than one " + unit + "-byte block");
        }
        long needed = (bytes() + perSegment - 1) / perSegment;
        long allowedByLength = limits.maxDescriptorListLength() > 0
                ? (limits.maxDescriptorListLength() - 2L * XcopyParameterList.CSCD_LENGTH)
                        / XcopyParameterList.SEGMENT_LENGTH
                : Long.MAX_VALUE;
        long allowed = Math.min(limits.maxSegments(), allowedByLength);
        if (needed > allowed) {
            throw new IllegalArgumentException("the range needs " + needed + " segments of at most " + perSegment
                    + " bytes, the target accepts " + allowed + " in one EXTENDED COPY (limits: " + limits.source()
                    + "); copy less with --blocks");
        }
        List<Segment> out = new ArrayList<>((int) needed);
        long done = 0;
        while (done < bytes()) {
            long n = Math.min(perSegment, bytes() - done);
            out.add(new Segment((int) (n / srcBlockSize), srcLba + done / srcBlockSize, dstLba + done / dstBlockSize));
            done += n;
        }
        return out;
    }
}
