package io.xtarget.cli;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Builds the EXTENDED COPY (LID1) parameter list {@code xtarget xcopy} sends: a header (SPC-4
 * 6.4.3), two identification CSCD descriptors E4h (6.4.5.6) naming source and destination by
 * the designation descriptors their VPD 0x83 pages report, and block to block segments 02h
 * (6.4.6.5). Only features every LID1 copy manager implements are used.
 */
final class XcopyParameterList {
    static final int HEADER_LENGTH = 16;
    static final int CSCD_LENGTH = 32;
    static final int SEGMENT_LENGTH = 28;
    /** LIST ID USAGE 00b: the copy manager holds the results for RECEIVE COPY RESULTS (SPC-4 table 104). */
    static final int LIST_ID_USAGE_HOLD = 0b00;

    private XcopyParameterList() {}

    /**
     * @param source designation descriptor (VPD 0x83: 4-byte header + designator) of the source LU
     * @param destination same for the destination LU
     */
    static byte[] build(int listId, byte[] source, int sourceBlockSize, byte[] destination, int destinationBlockSize,
            List<CopyRange.Segment> segments) {
        int cscdLen = 2 * CSCD_LENGTH;
        int segLen = segments.size() * SEGMENT_LENGTH;
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + cscdLen + segLen);
        b.put(0, (byte) listId);
        b.put(1, (byte) (LIST_ID_USAGE_HOLD << 3));
        b.putShort(2, (short) cscdLen);
        b.putInt(8, segLen);
        cscd(b, HEADER_LENGTH, source, sourceBlockSize);
        cscd(b, HEADER_LENGTH + CSCD_LENGTH, destination, destinationBlockSize);
        int off = HEADER_LENGTH + cscdLen;
        for (CopyRange.Segment s : segments) {
            b.put(off, (byte) 0x02); // block device to block device, DC=0, CAT=0
            b.putShort(off + 2, (short) (SEGMENT_LENGTH - 4));
            b.putShort(off + 4, (short) 0); // source CSCD index
            b.putShort(off + 6, (short) 1); // destination CSCD index
            b.putShort(off + 10, (short) s.blocks());
            b.putLong(off + 12, s.srcLba());
            b.putLong(off + 20, s.dstLba());
            off += SEGMENT_LENGTH;
        }
        return b.array();
    }

    private static void cscd(ByteBuffer b, int off, byte[] designation, int blockSize) {
        int len = Math.min(designation[3] & 0xFF, 20);
        b.put(off, (byte) 0xE4);
        b.put(off + 1, (byte) 0x00); // LU ID TYPE 00b, peripheral device type 0 (block)
        b.put(off + 4, (byte) (designation[0] & 0x0F)); // CODE SET
        b.put(off + 5, (byte) (designation[1] & 0x3F)); // ASSOCIATION, DESIGNATOR TYPE (PIV cleared)
        b.put(off + 7, (byte) len);
        b.put(off + 8, designation, 4, len);
        b.put(off + 29, (byte) (blockSize >>> 16));
        b.putShort(off + 30, (short) blockSize);
    }

    /** EXTENDED COPY(LID1) CDB (SPC-4 6.4.1). */
    static byte[] cdb(int parameterListLength) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x83).putInt(10, parameterListLength);
        return c.array();
    }
}
