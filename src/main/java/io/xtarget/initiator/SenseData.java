package io.xtarget.initiator;

import java.util.HexFormat;
import java.util.Optional;

/**
 * A parsed view of SCSI sense data (SPC-4 4.5), fixed (0x70/0x71) or descriptor (0x72/0x73) format.
 * Parsing is total: fields the bytes do not reach read as zero / absent.
 *
 * @param responseCode 0x70..0x73
 * @param deferred true for 0x71/0x73 (deferred errors)
 * @param descriptorFormat true for 0x72/0x73
 * @param senseKey 4-bit SENSE KEY
 * @param asc ADDITIONAL SENSE CODE
 * @param ascq ADDITIONAL SENSE CODE QUALIFIER
 * @param informationValid fixed: VALID bit; descriptor: an Information descriptor with VALID set
 * @param information the INFORMATION field (e.g. the failing LBA)
 * @param commandSpecific COMMAND-SPECIFIC INFORMATION (0 when absent)
 * @param senseKeySpecific the 3 SENSE KEY SPECIFIC bytes as an int when SKSV is set, else -1
 * @param filemark FILEMARK bit (fixed format, or stream commands descriptor)
 * @param eom EOM bit
 * @param ili ILI bit
 */
public record SenseData(int responseCode, boolean deferred, boolean descriptorFormat, int senseKey, int asc,
        int ascq, boolean informationValid, long information, long commandSpecific, int senseKeySpecific,
        boolean filemark, boolean eom, boolean ili) {

    /** Parses sense bytes; empty when there are none or the response code is not 0x70..0x73. */
    public static Optional<SenseData> parse(byte[] s) {
        if (s == null || s.length < 1) {
            return Optional.empty();
        }
        int code = s[0] & 0x7F;
        return switch (code) {
            case 0x70, 0x71 -> Optional.of(fixed(s, code));
            case 0x72, 0x73 -> Optional.of(descriptor(s, code));
            default -> Optional.empty();
        };
    }

    private static SenseData fixed(byte[] s, int code) {
        // SPC-4 4.5.3: ADDITIONAL SENSE LENGTH at byte 7 bounds what follows; trust it only as far
        // as the bytes we actually have.
        int avail = Math.min(s.length, 8 + u8(s, 7));
        byte[] b = new byte[18];
        System.arraycopy(s, 0, b, 0, Math.min(avail, 18));
        int sks = (b[15] & 0x80) != 0 ? ((b[15] & 0xFF) << 16 | (b[16] & 0xFF) << 8 | (b[17] & 0xFF)) : -1;
        return new SenseData(code, code == 0x71, false, b[2] & 0x0F, u8(b, 12), u8(b, 13), (b[0] & 0x80) != 0,
                be(b, 3, 4), be(b, 8, 4), sks, (b[2] & 0x80) != 0, (b[2] & 0x40) != 0, (b[2] & 0x20) != 0);
    }

    private static SenseData descriptor(byte[] s, int code) {
        int key = s.length > 1 ? s[1] & 0x0F : 0;
        int asc = u8(s, 2);
        int ascq = u8(s, 3);
        int end = Math.min(s.length, 8 + u8(s, 7));
        boolean infoValid = false;
        long info = 0;
        long cmd = 0;
        int sks = -1;
        boolean filemark = false;
        boolean eom = false;
        boolean ili = false;
        int p = 8;
        // SPC-4 4.5.2: descriptors are type, additional length, then that many bytes.
        while (p + 2 <= end) {
            int type = s[p] & 0xFF;
            int len = s[p + 1] & 0xFF;
            if (p + 2 + len > end) {
                break;
            }
            switch (type) {
                case 0x00 -> { // Information (SPC-4 4.5.2.2)
                    if (len >= 0x0A) {
                        infoValid = (s[p + 2] & 0x80) != 0;
                        info = be(s, p + 4, 8);
                    }
                }
                case 0x01 -> { // Command-specific information (4.5.2.3)
                    if (len >= 0x0A) {
                        cmd = be(s, p + 4, 8);
                    }
                }
                case 0x02 -> { // Sense key specific (4.5.2.4)
                    if (len >= 0x06 && (s[p + 4] & 0x80) != 0) {
                        sks = (s[p + 4] & 0xFF) << 16 | (s[p + 5] & 0xFF) << 8 | (s[p + 6] & 0xFF);
                    }
                }
                case 0x04 -> { // Stream commands (SSC)
                    if (len >= 0x02) {
                        filemark = (s[p + 3] & 0x80) != 0;
                        eom = (s[p + 3] & 0x40) != 0;
                        ili = (s[p + 3] & 0x20) != 0;
                    }
                }
                case 0x05 -> { // Block commands (SBC-3 4.18.2)
                    if (len >= 0x02) {
                        ili = (s[p + 3] & 0x20) != 0;
                    }
                }
                default -> { }
            }
            p += 2 + len;
        }
        return new SenseData(code, code == 0x73, true, key, asc, ascq, infoValid, info, cmd, sks, filemark, eom, ili);
    }

    private static int u8(byte[] b, int i) {
        return i < b.length ? b[i] & 0xFF : 0;
    }

    private static long be(byte[] b, int from, int n) {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | u8(b, from + i);
        }
        return v;
    }

    @Override
    public String toString() {
        return String.format("sense key 0x%x asc 0x%02x ascq 0x%02x%s", senseKey, asc, ascq,
                informationValid ? " information 0x" + HexFormat.of().toHexDigits(information) : "");
    }
}
