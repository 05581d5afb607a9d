package io.xtarget.scsi;

/**
 * The CDB USAGE DATA of an opcode row (SPC-4 6.35.3) and the check the core makes with it.
 *
 * <p>The usage data is as long as the command's CDB. Byte 0 is the operation code; for a command
 * with a service action, the SERVICE ACTION field (byte 1 bits 4..0 for every row here) holds the
 * service action code itself, as SPC-4 6.35.3 asks. Every other bit is one when the device server
 * evaluates the CDB bit and zero when it treats the bit as reserved; the bits of one field are all
 * one or all zero. A single-bit field the command set only supports at zero (ANCHOR without
 * ANC_SUP, SP without saved pages, the CONTROL byte's NACA and LINK) is zero here, so the core
 * rejects it before any handler runs. A multi-bit field supported only at zero (xxPROTECT without
 * protection information) stays declared and its handler rejects it: the field pointer must then
 * name the field's most significant bit (SPC-4 4.5.2.4.2), which this per-bit check cannot know.
 *
 * <p>The CONTROL byte (the last byte, SAM-5 5.2) is zero in every row of the standard table: no
 * vendor-specific bits are defined, NACA=1 needs ACA support (NORMACA=0 in the standard INQUIRY
 * data, so SAM-5 5.2 and 5.9 ask for INVALID FIELD IN CDB) and linked commands are not supported
 * (LINK, obsolete in SAM-5; SAM-4 5.2 asks for INVALID FIELD IN CDB).
 */
public final class CdbUsage {
    private CdbUsage() {}

    /** CDB USAGE DATA from unsigned byte values, byte 0 first (the operation code). */
    public static byte[] of(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            if ((bytes[i] & ~0xFF) != 0) {
                throw new IllegalArgumentException("usage byte " + i + " out of range: " + bytes[i]);
            }
            b[i] = (byte) bytes[i];
        }
        return b;
    }

    /**
     * Fails with CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB (24h/00h) when the CDB has
     * a bit set that {@code usage} does not cover. The sense-key specific FIELD POINTER (SPC-4
     * 4.5.2.4.2: C/D=1, BPV=1) names the first offending byte and, in it, the most significant
     * offending bit (the left-most bit of a field in error, as 4.5.2.4.2 asks). Byte 0, the
     * operation code, is not checked; nor are bytes past the usage data (a fabric pads a CDB
     * shorter than its transport's CDB field).
     */
    public static void check(byte[] usage, Cdb cdb) throws ScsiException {
        for (int i = 1; i < usage.length; i++) {
            int outside = cdb.u8(i) & ~usage[i] & 0xFF;
            if (outside != 0) {
                throw new ScsiException(Sense.invalidFieldInCdb(i, 31 - Integer.numberOfLeadingZeros(outside)));
            }
        }
    }
}
