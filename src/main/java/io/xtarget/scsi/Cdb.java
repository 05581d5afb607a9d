package io.xtarget.scsi;

import java.util.HexFormat;

/**
 * A command descriptor block. Accessors read big-endian fields; reads past the end of the CDB
 * return zero, so a handler can never throw on a short CDB (the fabric always supplies at least
 * 16 bytes).
 */
public record Cdb(byte[] bytes) {

    public Cdb {
        bytes = bytes.clone();
    }

    public static Cdb of(int... values) {
        byte[] b = new byte[Math.max(16, values.length)];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return new Cdb(b);
    }

    public int opcode() {
        return u8(0);
    }

    /** Service action in byte 1 bits 4..0 (used by 0x9E, 0xA3, 0x83, 0x84, 0x5E, 0x5F...). */
    public int serviceAction() {
        return u8(1) & 0x1F;
    }

    public int length() {
        return bytes.length;
    }

    public int u8(int i) {
        return i < bytes.length ? bytes[i] & 0xFF : 0;
    }

    public boolean bit(int i, int bit) {
        return (u8(i) & (1 << bit)) != 0;
    }

    public int u16(int i) {
        return (u8(i) << 8) | u8(i + 1);
    }

    public int u24(int i) {
        return (u8(i) << 16) | u16(i + 1);
    }

    public long u32(int i) {
        return ((long) u16(i) << 16) | u16(i + 2);
    }

    public long u64(int i) {
        return (u32(i) << 32) | u32(i + 4);
    }

    /** The CONTROL byte, whose position depends on the CDB group (SPC-4 4.2.5). */
    public int control() {
        return u8(standardLength(opcode()) - 1);
    }

    /** CDB length implied by the group code (SPC-4 4.2.5.1); 16 for groups we do not size. */
    public static int standardLength(int opcode) {
        return switch (opcode >>> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> 16;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cdb c && java.util.Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, standardLength(opcode())));
    }
}
