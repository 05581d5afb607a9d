package io.xtarget.initiator;

/** The 8-byte LUN field of iSCSI PDUs (SAM-5 4.7): single level, peripheral or flat space addressing. */
public final class LunField {
    private LunField() {}

    /** LUN 0..255 uses peripheral device addressing, 256..16383 flat space addressing (SAM-5 4.7.7.2, 4.7.8). */
    public static long encode(int lun) {
        if (lun < 0 || lun > IscsiUrl.MAX_LUN) {
            throw new IllegalArgumentException("LUN " + lun + " is outside 0.." + IscsiUrl.MAX_LUN);
        }
        if (lun < 256) {
            return (long) lun << 48;
        }
        return ((long) (0x40 | (lun >>> 8)) << 56) | ((long) (lun & 0xFF) << 48);
    }
}
