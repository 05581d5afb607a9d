package io.xtarget.scsi.copy;

import java.io.ByteArrayOutputStream;

/**
 * Encoders of the copy manager's data-in: RECEIVE COPY RESULTS OPERATING PARAMETERS, COPY STATUS,
 * FAILED SEGMENT DETAILS (SPC-4 6.20) and the Third-party Copy VPD page (SPC-4 7.8.17). Limits
 * come only from {@link CopyLimits}.
 */
final class CopyPages {
    private CopyPages() {}

    /** OPERATING PARAMETERS (SPC-4 6.20.4). */
    static byte[] operatingParameters(CopyLimits l) {
        byte[] ids = CopyLimits.IMPLEMENTED_DESCRIPTORS;
        byte[] b = new byte[44 + ids.length];
        putInt(b, 0, b.length - 4);
        b[4] = 0x01; // SNLID: LIST ID USAGE 11b (no list identifier) is supported
        putShort(b, 8, l.maxCscdCount());
        putShort(b, 10, l.maxSegmentCount());
        putInt(b, 12, l.maxDescriptorListLength());
        putInt(b, 16, l.maxSegmentLength());
        putInt(b, 20, l.maxInlineDataLength());
        putInt(b, 24, l.heldDataLimit());
        putInt(b, 28, 0); // MAXIMUM STREAM DEVICE TRANSFER SIZE: no stream devices
        putShort(b, 34, l.totalConcurrentCopies());
        b[36] = (byte) l.maxConcurrentCopies();
        b[37] = (byte) l.dataSegmentGranularityLog2();
        b[38] = (byte) l.inlineDataGranularityLog2();
        b[39] = (byte) l.heldDataGranularityLog2();
        b[43] = (byte) ids.length;
        System.arraycopy(ids, 0, b, 44, ids.length);
        return b;
    }

    /** COPY STATUS (SPC-4 6.20.2). */
    static byte[] copyStatus(CopyOperation op) {
        byte[] b = new byte[12];
        putInt(b, 0, 8);
        b[4] = (byte) switch (op.state()) { // HDD=0: no held data
            case RUNNING -> 0x00;
            case SUCCEEDED -> 0x01;
            case FAILED -> 0x02;
        };
        putShort(b, 5, op.segmentsProcessed());
        // TRANSFER COUNT UNITS: the smallest power-of-1024 unit in which the count fits 32 bits.
        long count = op.bytesTransferred();
        int units = 0;
        while (count > 0xFFFF_FFFFL) {
            count >>>= 10;
            units++;
        }
        b[7] = (byte) units;
        putInt(b, 8, count);
        return b;
    }

    /**
     * FAILED SEGMENT DETAILS (SPC-4 6.20.5): the status and sense data of a failed copy. A copy
     * still running or that succeeded has no details: AVAILABLE DATA is zero.
     */
    static byte[] failedSegmentDetails(CopyOperation op, byte[] sense) {
        if (op.state() != CopyOperation.State.FAILED) {
            return new byte[4];
        }
        byte[] s = sense == null ? new byte[0] : sense;
        byte[] b = new byte[60 + s.length];
        putInt(b, 0, b.length - 4);
        b[56] = (byte) op.failureStatus().code(); // COPY COMMAND STATUS
        putShort(b, 58, s.length);
        System.arraycopy(s, 0, b, 60, s.length);
        return b;
    }

    /**
     * Third-party Copy VPD page (SPC-4 7.8.17) of the EXTENDED COPY(LID1) and token copy manager.
     * Windows reads the Block Device ROD Token Limits descriptor first (SBC-3 6.6.x); the token
     * descriptors use the logical blocks of {@code blockSize}, the LU's.
     */
    static byte[] thirdPartyCopyVpd(int peripheral, CopyLimits l, TokenLimits t, int blockSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(peripheral);
        out.write(0x8F);
        out.write(0);
        out.write(0); // page length, set below

        // Block Device ROD Token Limits (0000h).
        descriptor(out, 0x0000, TokenPages.blockDeviceRodLimits(t, blockSize));

        // Supported Commands (0001h): 83h/00h,10h,11h,1Ch; 84h/00h,03h,04h,05h,07h,08h.
        byte[] commands = {(byte) 0x83, 4, 0x00, 0x10, 0x11, 0x1C, (byte) 0x84, 6, 0x00, 0x03, 0x04, 0x05, 0x07,
            0x08};
        byte[] cmdBody = new byte[1 + commands.length];
        cmdBody[0] = (byte) commands.length;
        System.arraycopy(commands, 0, cmdBody, 1, commands.length);
        descriptor(out, 0x0001, cmdBody);

        // Parameter Data (0004h).
        byte[] params = new byte[28];
        putShort(params, 4, l.maxCscdCount());
        putShort(params, 6, l.maxSegmentCount());
        putInt(params, 8, l.maxDescriptorListLength());
        putInt(params, 12, l.maxInlineDataLength());
        descriptor(out, 0x0004, params);

        // Supported Descriptors (0008h).
        byte[] ids = CopyLimits.IMPLEMENTED_DESCRIPTORS;
        byte[] descBody = new byte[1 + ids.length];
        descBody[0] = (byte) ids.length;
        System.arraycopy(ids, 0, descBody, 1, ids.length);
        descriptor(out, 0x0008, descBody);

        // Supported CSCD Descriptor IDs (000Ch): FFFFh, the receiving LU itself.
        descriptor(out, 0x000C, new byte[] {0, 2, (byte) 0xFF, (byte) 0xFF});

        // ROD Token Features (0106h) and Supported ROD Types (0108h).
        descriptor(out, 0x0106, TokenPages.rodTokenFeatures(t));
        descriptor(out, 0x0108, TokenPages.supportedRodTypes());

        // General Copy Operations (8001h).
        byte[] general = new byte[32];
        putInt(general, 0, l.totalConcurrentCopies());
        putInt(general, 4, l.maxConcurrentCopies());
        putInt(general, 8, l.maxSegmentLength());
        general[12] = (byte) l.dataSegmentGranularityLog2();
        general[13] = (byte) l.inlineDataGranularityLog2();
        descriptor(out, 0x8001, general);

        byte[] page = out.toByteArray();
        putShort(page, 2, page.length - 4);
        return page;
    }

    /** One third-party copy descriptor: type, length, body padded to a multiple of 4 bytes. */
    private static void descriptor(ByteArrayOutputStream out, int type, byte[] body) {
        int padded = (body.length + 3) & ~3;
        out.write(type >>> 8);
        out.write(type);
        out.write(padded >>> 8);
        out.write(padded);
        out.write(body, 0, body.length);
        for (int i = body.length; i < padded; i++) {
            out.write(0);
        }
    }

    private static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void putInt(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
