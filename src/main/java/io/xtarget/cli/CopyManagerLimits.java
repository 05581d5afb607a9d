package io.xtarget.cli;

import java.nio.ByteBuffer;

/**
 * The limits of a remote copy manager that matter for splitting one range into EXTENDED COPY
 * (LID1) segments, read from the Third-party Copy VPD page (SPC-4 7.8.17) or RECEIVE COPY
 * RESULTS OPERATING PARAMETERS (SPC-4 6.20.4). Parsing is total: fields the bytes do not reach
 * keep the conservative defaults.
 *
 * @param maxSegments MAXIMUM SEGMENT DESCRIPTOR COUNT
 * @param maxDescriptorListLength MAXIMUM DESCRIPTOR LIST LENGTH in bytes (CSCD + segment lists)
 * @param maxSegmentBytes MAXIMUM SEGMENT LENGTH in bytes, 0 when not reported (no limit beyond the
 *     16-bit block count of a 02h segment)
 * @param source where the numbers came from, for the user
 */
record CopyManagerLimits(int maxSegments, long maxDescriptorListLength, long maxSegmentBytes, String source) {

    /** Assumed when the target reports nothing: one segment, two CSCDs, no segment length limit. */
    static final CopyManagerLimits UNKNOWN = new CopyManagerLimits(1, 2 * 32 + 28, 0, "none reported");

    /** RECEIVE COPY RESULTS OPERATING PARAMETERS data (SPC-4 6.20.4). */
    static CopyManagerLimits fromOperatingParameters(byte[] b) {
        if (b.length < 20) {
            return UNKNOWN;
        }
        ByteBuffer d = ByteBuffer.wrap(b);
        return new CopyManagerLimits(d.getShort(10) & 0xFFFF, d.getInt(12) & 0xFFFFFFFFL,
                d.getInt(16) & 0xFFFFFFFFL, "RECEIVE COPY RESULTS OPERATING PARAMETERS");
    }

    /**
     * Third-party Copy VPD page (SPC-4 7.8.17): Parameter Data (0004h) for the counts and
     * lengths, General Copy Operations (8001h) for MAXIMUM SEGMENT LENGTH. Null when the page has
     * no Parameter Data descriptor.
     */
    static CopyManagerLimits fromThirdPartyCopyVpd(byte[] b) {
        ByteBuffer params = ThirdPartyCopyPage.descriptor(b, 0x0004, 12);
        if (params == null) {
            return null;
        }
        ByteBuffer general = ThirdPartyCopyPage.descriptor(b, 0x8001, 12);
        return new CopyManagerLimits(params.getShort(6) & 0xFFFF, params.getInt(8) & 0xFFFFFFFFL,
                general == null ? 0 : general.getInt(8) & 0xFFFFFFFFL, "Third-party Copy VPD page");
    }
}
