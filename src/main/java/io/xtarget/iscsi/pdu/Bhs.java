package io.xtarget.iscsi.pdu;

/**
 * The 48-byte Basic Header Segment (RFC 7143 11.2.1) as a mutable byte array with big-endian
 * accessors. Only the codec uses it; everything inward sees typed PDU records.
 */
public final class Bhs {
    public static final int LENGTH = 48;

    final byte[] b;

    public Bhs() {
        this(new byte[LENGTH]);
    }

    public Bhs(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("BHS must be 48 bytes");
        }
        this.b = bytes;
    }

    public byte[] bytes() {
        return b;
    }

    public int opcode() {
        return b[0] & 0x3F;
    }

    public boolean immediate() {
        return (b[0] & 0x40) != 0;
    }

    public int flags() {
        return b[1] & 0xFF;
    }

    public int totalAhsLength() {
        return (b[4] & 0xFF) * 4;
    }

    public int dataSegmentLength() {
        return u24(5);
    }

    public int u8(int i) {
        return b[i] & 0xFF;
    }

    public int u16(int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    public int u24(int i) {
        return ((b[i] & 0xFF) << 16) | u16(i + 1);
    }

    public int i32(int i) {
        return (u16(i) << 16) | u16(i + 2);
    }

    public long u32(int i) {
        return i32(i) & 0xFFFFFFFFL;
    }

    public long i64(int i) {
        return ((long) i32(i) << 32) | u32(i + 4);
    }

    public long u48(int i) {
        return ((long) u16(i) << 32) | u32(i + 2);
    }

    public byte[] slice(int from, int len) {
        byte[] out = new byte[len];
        System.arraycopy(b, from, out, 0, len);
        return out;
    }

    public Bhs opcode(int opcode, boolean immediate) {
        b[0] = (byte) ((opcode & 0x3F) | (immediate ? 0x40 : 0));
        return this;
    }

    public Bhs put8(int i, int v) {
        b[i] = (byte) v;
        return this;
    }

    public Bhs put16(int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
        return this;
    }

    public Bhs put24(int i, int v) {
        b[i] = (byte) (v >>> 16);
        put16(i + 1, v);
        return this;
    }

    public Bhs put32(int i, long v) {
        put16(i, (int) (v >>> 16));
        put16(i + 2, (int) v);
        return this;
    }

    public Bhs put48(int i, long v) {
        put16(i, (int) (v >>> 32));
        put32(i + 2, v);
        return this;
    }

    public Bhs put64(int i, long v) {
        put32(i, v >>> 32);
        put32(i + 4, v);
        return this;
    }

    public Bhs putBytes(int i, byte[] src, int len) {
        System.arraycopy(src, 0, b, i, Math.min(len, src.length));
        return this;
    }
}
