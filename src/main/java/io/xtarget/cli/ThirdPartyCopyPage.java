package io.xtarget.cli;

import java.nio.ByteBuffer;

/** Finds a third-party copy descriptor in a Third-party Copy VPD page (SPC-4 7.8.17). */
final class ThirdPartyCopyPage {
    private ThirdPartyCopyPage() {}

    /**
     * The body (after the 4-byte type and length) of the first descriptor of {@code type} that is
     * at least {@code minLength} bytes long, as a buffer positioned at 0; null when the page has
     * none or is not page 0x8F. Descriptors running past the page end the walk.
     */
    static ByteBuffer descriptor(byte[] page, int type, int minLength) {
        if (page == null || page.length < 4 || (page[1] & 0xFF) != 0x8F) {
            return null;
        }
        int end = Math.min(page.length, 4 + ((page[2] & 0xFF) << 8 | (page[3] & 0xFF)));
        ByteBuffer d = ByteBuffer.wrap(page);
        for (int off = 4; off + 4 <= end;) {
            int t = d.getShort(off) & 0xFFFF;
            int len = d.getShort(off + 2) & 0xFFFF;
            int body = off + 4;
            if (body + len > end) {
                return null;
            }
            if (t == type && len >= minLength) {
                return d.slice(body, len);
            }
            off = body + len;
        }
        return null;
    }
}
