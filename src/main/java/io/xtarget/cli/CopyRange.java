package io.xtarget.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one block range into block-to-block segments (SPC-4 6.4.6.5) that a copy manager with
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
     * @throws IllegalArgumentException naming the reason when the range cannot be expressed
     */
    List<Segment> split(CopyManagerLimits limits) {
        long unit = Math.max(srcBlockSize, dstBlockSize); // both powers of two: the LCM
        if (bytes() % unit != 0) {
            throw new IllegalArgumentException(blocks + " blocks of " + srcBlockSize
                    + " bytes are not a whole number of " + dstBlockSize + "-byte destination blocks");
        }
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
