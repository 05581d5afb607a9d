package io.xtarget.scsi.copy.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side builder of EXTENDED COPY(LID1) parameter lists: header (SPC-4 6.4.3), identification
 * CSCD descriptors E4h (6.4.5.6) carrying a designation descriptor read from VPD 0x83, and block
 * to block segment descriptors 02h (6.4.6.5). Written independently of the CLI's builder so the
 * two check each other.
 */
final class XcopyList {
    static final int USAGE_HOLD = 0b00;
    static final int USAGE_NO_LIST_ID = 0b11;

    private int listId = 1;
    private int usage = USAGE_HOLD;
    private final List<byte[]> cscds = new ArrayList<>();
    private final List<byte[]> segments = new ArrayList<>();

    XcopyList listId(int id, int listIdUsage) {
        listId = id;
        usage = listIdUsage;
        return this;
    }

    /** An E4h descriptor from a whole designation descriptor (4-byte header + designator) of VPD 0x83. */
    XcopyList cscd(byte[] designationDescriptor, int diskBlockLength) {
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[1] = 0x00; // peripheral device type 0: block device
        int len = Math.min(designationDescriptor[3] & 0xFF, 20);
        d[4] = (byte) (designationDescriptor[0] & 0x0F); // code set
        d[5] = (byte) (designationDescriptor[1] & 0x3F); // association, designator type
        d[7] = (byte) len;
        System.arraycopy(designationDescriptor, 4, d, 8, len);
        d[29] = (byte) (diskBlockLength >>> 16);
        d[30] = (byte) (diskBlockLength >>> 8);
        d[31] = (byte) diskBlockLength;
        cscds.add(d);
        return this;
    }

    XcopyList rawCscd(byte[] descriptor) {
        cscds.add(descriptor.clone());
        return this;
    }

    /** Block to block segment (02h); {@code blocks} counts source blocks. */
    XcopyList segment(int src, int dst, int blocks, long srcLba, long dstLba) {
        ByteBuffer s = ByteBuffer.allocate(28);
        s.put(0, (byte) 0x02).putShort(2, (short) 0x18).putShort(4, (short) src).putShort(6, (short) dst)
                .putShort(10, (short) blocks).putLong(12, srcLba).putLong(20, dstLba);
        segments.add(s.array());
        return this;
    }

    XcopyList rawSegment(byte[] descriptor) {
        segments.add(descriptor.clone());
        return this;
    }

    int cscdCount() {
        return cscds.size();
    }

    byte[] build() {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        cscds.forEach(c::writeBytes);
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        segments.forEach(s::writeBytes);
        ByteBuffer h = ByteBuffer.allocate(16);
        h.put(0, (byte) listId).put(1, (byte) (usage << 3)).putShort(2, (short) c.size()).putInt(8, s.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(h.array());
        all.writeBytes(c.toByteArray());
        all.writeBytes(s.toByteArray());
        return all.toByteArray();
    }

    /** EXTENDED COPY(LID1) CDB (SPC-4 6.4.1): opcode 83h, service action 00h, parameter list length. */
    static byte[] cdb(int parameterListLength) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x83).putInt(10, parameterListLength);
        return c.array();
    }

    /** RECEIVE COPY RESULTS CDB (SPC-4 6.20.1). */
    static byte[] receiveCopyResults(int serviceAction, int listId, int allocationLength) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x84).put(1, (byte) serviceAction).put(2, (byte) listId).putInt(10, allocationLength);
        return c.array();
    }
}
