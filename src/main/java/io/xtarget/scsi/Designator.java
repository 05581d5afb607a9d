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
     * Whether a designator sent by an initiator (an identification descriptor CSCD, SPC-4
     * 6.4.5.6) names this one: CODE SET, DESIGNATOR TYPE, DESIGNATOR LENGTH and every byte equal,
     * as the copy manager compares against the Device Identification VPD page (7.8.6). Nothing is
     * read into a mismatch: an ASCII code set does not name a binary designator, a longer length
     * with zero padding does not name a shorter one. The caller checks the ASSOCIATION (only
     * "logical unit" designators name an LU).
     */
    public boolean matches(int otherCodeSet, int otherType, byte[] other) {
        return otherCodeSet == codeSet && otherType == type && Arrays.equals(other, value);
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
