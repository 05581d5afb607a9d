package io.xtarget.scsi;

import java.util.Arrays;

/**
 * One identification designator of a logical unit (SPC-4 7.8.6), association "logical unit".
 * VPD 0x83 reports them and EXTENDED COPY resolves CSCD descriptors against them, from the same
 * list ({@link LogicalUnit#designators()}), so a copy accepts exactly what INQUIRY reports.
 *
 * @param codeSet 1 binary, 2 ASCII, 3 UTF-8
 * @param type 1 T10 vendor ID based, 2 EUI-64 based, 3 NAA, ...
 * @param value the designator bytes
 */
public record Designator(int codeSet, int type, byte[] value) {
    public static final int CODE_SET_BINARY = 1;
    public static final int CODE_SET_ASCII = 2;
    public static final int TYPE_T10_VENDOR_ID = 1;
    public static final int TYPE_EUI64 = 2;
    public static final int TYPE_NAA = 3;

    public Designator {
        value = value.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * Whether designator bytes sent by an initiator name this designator. The meaningful length is
     * the designator's own (for NAA, set by its NAA field, SPC-4 7.8.6.6); a longer field is
     * accepted when the extra bytes are zero padding (a CSCD descriptor has a fixed 20-byte field).
     */
    public boolean matches(int otherType, byte[] other) {
        if (otherType != type || other.length < value.length) {
            return false;
        }
        if (type == TYPE_NAA && (other.length == 0 || ownNaaLength(other[0]) != value.length)) {
            return false;
        }
        if (!Arrays.equals(other, 0, value.length, value, 0, value.length)) {
            return false;
        }
        for (int i = value.length; i < other.length; i++) {
            if (other[i] != 0 && type != TYPE_NAA) {
                return false;
            }
        }
        return true;
    }

    private static int ownNaaLength(byte first) {
        return switch ((first >>> 4) & 0x0F) {
            case 6 -> 16;
            case 2, 3, 5 -> 8;
            default -> -1;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Designator d && d.codeSet == codeSet && d.type == type && Arrays.equals(d.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * codeSet + type) + Arrays.hashCode(value);
    }
}
