package io.xtarget.scsi;

/**
 * The CDB USAGE DATA of an opcode row (SPC-4 6.35.3) and the check the core makes with it.
 *
 * <p>The usage data is as long as the command's CDB. Byte 0 is the operation code; every other bit
 * is one when the device server evaluates the CDB bit.
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
}
