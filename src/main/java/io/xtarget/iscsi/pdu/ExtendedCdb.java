package io.xtarget.iscsi.pdu;

/** The Extended CDB AHS (RFC 7143 11.2.2.3), AHSType 1: CDB bytes beyond the first 16. */
final class ExtendedCdb {
    private ExtendedCdb() {}

    /** The extra CDB bytes from the AHS area, or null when none is present or it is malformed. */
    static byte[] find(byte[] ahs) {
        int p = 0;
        while (ahs != null && p + 4 <= ahs.length) {
            int len = ((ahs[p] & 0xFF) << 8) | (ahs[p + 1] & 0xFF);
            int type = ahs[p + 2] & 0xFF;
            if (p + 3 + len > ahs.length) {
                return null;
            }
            if (type == 1 && len >= 1) {
                byte[] out = new byte[len - 1];
                System.arraycopy(ahs, p + 4, out, 0, len - 1);
                return out;
            }
            p += (3 + len + 3) & ~3;
        }
        return null;
    }
}
