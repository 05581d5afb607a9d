package io.xtarget.scsi.spc;

import io.xtarget.scsi.ModeState;

/**
 * The mode pages this target implements, as byte images (SPC-4 7.5, SBC-3 6.4): Caching (08h),
 * Control (0Ah) and Informational Exceptions Control (1Ch). One place knows each page's layout:
 * MODE SENSE builds from it and MODE SELECT checks against it.
 */
final class ModePages {
    static final int CACHING = 0x08;
    static final int CONTROL = 0x0A;
    static final int INFORMATIONAL_EXCEPTIONS = 0x1C;
    static final int ALL = 0x3F;
    /** Every page, in the ascending order MODE SENSE returns them for page code 3Fh. */
    static final int[] CODES = {CACHING, CONTROL, INFORMATIONAL_EXCEPTIONS};

    /** What MODE SENSE's PAGE CONTROL field asks for (SPC-4 6.11.3). */
    enum Values { CURRENT, CHANGEABLE, DEFAULT }

    private ModePages() {}

    static boolean known(int code) {
        return code == CACHING || code == CONTROL || code == INFORMATIONAL_EXCEPTIONS;
    }

    /** Page length in bytes including the 2-byte page header. */
    static int size(int code) {
        return switch (code) {
            case CACHING -> 20;
            case CONTROL, INFORMATIONAL_EXCEPTIONS -> 12;
            default -> throw new IllegalArgumentException("no mode page " + code);
        };
    }

    /** The page image; PS is 0 because no page can be saved. */
    static byte[] page(int code, Values values, ModeState m) {
        byte[] p = new byte[size(code)];
        p[0] = (byte) code;
        p[1] = (byte) (p.length - 2);
        switch (values) {
            case CHANGEABLE -> {
                byte[] mask = changeable(code);
                System.arraycopy(mask, 2, p, 2, p.length - 2);
            }
            case DEFAULT -> fill(code, p, true, false, false, false, false, 0, 0, true);
            case CURRENT -> fill(code, p, m.writeCacheEnabled, m.readCacheDisabled, m.descriptorSense,
                    m.softwareWriteProtect, m.taskAbortedStatus, m.queueErrorManagement, m.mrie, m.dexcpt);
        }
        return p;
    }

    private static void fill(int code, byte[] p, boolean wce, boolean rcd, boolean dSense, boolean swp, boolean tas,
            int qerr, int mrie, boolean dexcpt) {
        switch (code) {
            case CACHING -> p[2] = (byte) ((wce ? 0x04 : 0) | (rcd ? 0x01 : 0));
            case CONTROL -> {
                // TST 001b: a task set per I_T nexus, as task management and task attributes treat it
                p[2] = (byte) (0x20 | (dSense ? 0x04 : 0));
                p[3] = (byte) ((qerr & 3) << 1);
                p[4] = (byte) (swp ? 0x08 : 0);
                p[5] = (byte) (tas ? 0x40 : 0);
                p[8] = (byte) 0xFF; // BUSY TIMEOUT PERIOD: unlimited
                p[9] = (byte) 0xFF;
            }
            case INFORMATIONAL_EXCEPTIONS -> {
                p[2] = (byte) (dexcpt ? 0x08 : 0);
                p[3] = (byte) (mrie & 0x0F);
            }
            default -> throw new IllegalArgumentException("no mode page " + code);
        }
    }

    /** Changeable-values mask: WCE/RCD, D_SENSE/SWP/TAS, DEXCPT/MRIE. */
    static byte[] changeable(int code) {
        byte[] p = new byte[size(code)];
        p[0] = (byte) code;
        p[1] = (byte) (p.length - 2);
        switch (code) {
            case CACHING -> p[2] = 0x05;
            case CONTROL -> {
                p[2] = 0x04; // D_SENSE
                p[4] = 0x08; // SWP
                p[5] = 0x40; // TAS
            }
            case INFORMATIONAL_EXCEPTIONS -> {
                p[2] = 0x08;
                p[3] = 0x0F;
            }
            default -> throw new IllegalArgumentException("no mode page " + code);
        }
        return p;
    }

    /** Subpage 02h of page 1Ch: Logical Block Provisioning (SBC-3 6.4.x), for LUs with thresholds. */
    static final int LOGICAL_BLOCK_PROVISIONING_SUBPAGE = 0x02;

    /**
     * The Logical Block Provisioning mode page (1Ch/02h, SBC-3 6.4.x) in subpage format: SITUA=0
     * (the threshold unit attention goes to every I_T nexus) and one threshold descriptor, the
     * soft threshold the administrator configured (ENABLED when set; THRESHOLD TYPE 000b soft,
     * THRESHOLD ARMING 000b armed decreasing, THRESHOLD RESOURCE 01h available LBA mapping
     * resources, THRESHOLD COUNT in threshold sets). Nothing is changeable: MODE SELECT does not
     * take subpages, thresholds are set in the config.
     */
    static byte[] logicalBlockProvisioning(Values values, io.xtarget.scsi.ThinProvisioning tp)
            throws java.io.IOException {
        byte[] p = new byte[16 + 8];
        p[0] = (byte) (0x40 | INFORMATIONAL_EXCEPTIONS); // SPF=1, page 1Ch
        p[1] = (byte) LOGICAL_BLOCK_PROVISIONING_SUBPAGE;
        p[3] = (byte) (p.length - 4);
        if (values != Values.CHANGEABLE && tp.softThresholdPercent() != 0) {
            long count = tp.softThresholdSets();
            p[16] = (byte) 0x80; // ENABLED, soft threshold, armed decreasing
            p[17] = 0x01; // available LBA mapping resources
            p[20] = (byte) (count >>> 24);
            p[21] = (byte) (count >>> 16);
            p[22] = (byte) (count >>> 8);
            p[23] = (byte) count;
        }
        return p;
    }

    /** Stores the changeable fields of a validated page image; true when any value changed. */
    static boolean apply(int code, byte[] p, int off, ModeState m) {
        boolean changed = false;
        switch (code) {
            case CACHING -> {
                boolean wce = (p[off + 2] & 0x04) != 0;
                boolean rcd = (p[off + 2] & 0x01) != 0;
                changed = wce != m.writeCacheEnabled || rcd != m.readCacheDisabled;
                m.writeCacheEnabled = wce;
                m.readCacheDisabled = rcd;
            }
            case CONTROL -> {
                boolean dSense = (p[off + 2] & 0x04) != 0;
                boolean swp = (p[off + 4] & 0x08) != 0;
                boolean tas = (p[off + 5] & 0x40) != 0;
                changed = dSense != m.descriptorSense || swp != m.softwareWriteProtect || tas != m.taskAbortedStatus;
                m.descriptorSense = dSense;
                m.softwareWriteProtect = swp;
                m.taskAbortedStatus = tas;
            }
            case INFORMATIONAL_EXCEPTIONS -> {
                boolean dexcpt = (p[off + 2] & 0x08) != 0;
                int mrie = p[off + 3] & 0x0F;
                changed = dexcpt != m.dexcpt || mrie != m.mrie;
                m.dexcpt = dexcpt;
                m.mrie = mrie;
            }
            default -> throw new IllegalArgumentException("no mode page " + code);
        }
        return changed;
    }
}
