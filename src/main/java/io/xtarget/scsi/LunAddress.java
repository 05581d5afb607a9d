package io.xtarget.scsi;

/**
 * The 8-byte LUN field (SAM-5 4.7): peripheral device addressing for LUNs below 256, flat space
 * addressing up to 16383. Anything else decodes to -1, which no LUN map contains.
 */
public final class LunAddress {
    private LunAddress() {}

    public static long encode(int lun) {
        if (lun < 0 || lun > 0x3FFF) {
            throw new IllegalArgumentException("LUN out of range: " + lun);
        }
        long first2 = lun < 256 ? lun : (0x4000 | lun);
        return first2 << 48;
    }

    public static int decode(long field) {
        if ((field & 0x0000FFFFFFFFFFFFL) != 0) {
            return -1;
        }
        int first2 = (int) (field >>> 48);
        return switch (first2 >>> 14) {
            case 0 -> (first2 & 0x3F00) == 0 ? first2 & 0xFF : -1;
            case 1 -> first2 & 0x3FFF;
            default -> -1;
        };
    }
}
