package io.xtarget.cli;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The few SCSI queries {@code xtarget xcopy} makes of a logical unit, with readable failures. */
final class ScsiProbe {
    private final IscsiSession session;
    private final int lun;
    private final String name;

    ScsiProbe(IscsiSession session, int lun, String name) {
        this.session = session;
        this.lun = lun;
        this.name = name;
    }

    /** A problem the user should read: the command exits 1 with this message. */
    static final class ProbeException extends Exception {
        ProbeException(String message) {
            super(message, null, false, false);
        }
    }

    /** Runs a command; unit attentions (a new I_T nexus sees POWER ON, SAM-5 5.14) are retried. */
    CommandResult run(byte[] cdb, ByteBuffer out, int in) throws IOException {
        CommandResult r = session.execute(lun, cdb, out, in);
        for (int i = 0; i < 8 && isUnitAttention(r); i++) {
            r = session.execute(lun, cdb, out == null ? null : out.rewind(), in);
        }
        return r;
    }

    static boolean isUnitAttention(CommandResult r) {
        return r.status() == CommandResult.CHECK_CONDITION && r.senseData().map(s -> s.senseKey() == 6).orElse(false);
    }

    /** TEST UNIT READY until the unit attentions are consumed; fails when the LU is not there. */
    void ready() throws IOException, ProbeException {
        CommandResult r = run(new byte[6], null, 0);
        if (!r.good()) {
            throw new ProbeException(name + ": TEST UNIT READY failed: " + SenseText.describe(r));
        }
    }

    /** Standard INQUIRY: fails unless a disk with the 3PC bit (SPC-4 6.6.2). */
    void requireThirdPartyCopy() throws IOException, ProbeException {
        CommandResult r = run(new byte[] {0x12, 0, 0, 0, 96, 0}, null, 96);
        byte[] d = r.dataBytes();
        if (!r.good() || d.length < 6) {
            throw new ProbeException(name + ": INQUIRY failed: " + SenseText.describe(r));
        }
        if ((d[0] & 0xE0) != 0) {
            throw new ProbeException(name + ": no logical unit at LUN " + lun);
        }
        if ((d[0] & 0x1F) != 0) {
            throw new ProbeException(name + ": not a block device (peripheral device type " + (d[0] & 0x1F) + ")");
        }
        if ((d[5] & 0x08) == 0) {
            throw new ProbeException(name + ": the target does not support third-party copy (INQUIRY 3PC=0)");
        }
    }

    /** A VPD page, or null when the LU does not return it. */
    byte[] vpd(int page) throws IOException {
        CommandResult r = run(new byte[] {0x12, 1, (byte) page, 0x10, 0x00, 0}, null, 4096);
        byte[] d = r.dataBytes();
        return r.good() && d.length >= 4 && (d[1] & 0xFF) == page ? d : null;
    }

    /**
     * The LU's NAA designation descriptor (4-byte header + designator, association LU) from VPD
     * 0x83 (SPC-4 7.8.6): the identifier copy managers resolve in an E4h CSCD descriptor.
     */
    byte[] naaDesignator() throws IOException, ProbeException {
        byte[] p = vpd(0x83);
        if (p == null) {
            throw new ProbeException(name + ": no Device Identification VPD page (0x83)");
        }
        int end = Math.min(p.length, 4 + ((p[2] & 0xFF) << 8 | (p[3] & 0xFF)));
        for (int off = 4; off + 4 <= end; off += 4 + (p[off + 3] & 0xFF)) {
            int len = p[off + 3] & 0xFF;
            if (((p[off + 1] >>> 4) & 3) == 0 && (p[off + 1] & 0x0F) == 3 && off + 4 + len <= end && len <= 20) {
                byte[] d = new byte[4 + len];
                System.arraycopy(p, off, d, 0, d.length);
                return d;
            }
        }
        throw new ProbeException(name + ": VPD 0x83 has no NAA designator for the logical unit");
    }

    /** READ CAPACITY(16) (SBC-3 5.16): {block count, block size}. */
    long[] capacity() throws IOException, ProbeException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        CommandResult r = run(cdb, null, 32);
        if (!r.good() || r.data().remaining() < 12) {
            throw new ProbeException(name + ": READ CAPACITY(16) failed: " + SenseText.describe(r));
        }
        return new long[] {r.data().getLong(0) + 1, r.data().getInt(8) & 0xFFFFFFFFL};
    }

    /** The Third-party Copy VPD page (0x8F) when VPD 0x00 lists it, else null. */
    byte[] thirdPartyCopyPage() throws IOException {
        byte[] supported = vpd(0x00);
        if (supported != null) {
            for (int i = 4; i < supported.length; i++) {
                if ((supported[i] & 0xFF) == 0x8F) {
                    return vpd(0x8F);
                }
            }
        }
        return null;
    }

    /** The copy manager's limits: VPD 0x8F if offered, else OPERATING PARAMETERS, else the minimum. */
    CopyManagerLimits copyLimits() throws IOException {
        CopyManagerLimits l = CopyManagerLimits.fromThirdPartyCopyVpd(thirdPartyCopyPage());
        if (l != null) {
            return l;
        }
        CommandResult r = run(receiveCopyResults(0x03, 0, 1024), null, 1024);
        return r.good() ? CopyManagerLimits.fromOperatingParameters(r.dataBytes()) : CopyManagerLimits.UNKNOWN;
    }

    /** The ROD token limits of VPD 0x8F; fails when the LU has none (it does not do token copy). */
    RodTokenLimits tokenLimits() throws IOException, ProbeException {
        RodTokenLimits l = RodTokenLimits.fromThirdPartyCopyVpd(thirdPartyCopyPage());
        if (l == null) {
            throw new ProbeException(name + ": the target does not support token copy"
                    + " (no Block Device ROD Token Limits descriptor in VPD 0x8F)");
        }
        return l;
    }

    /** RECEIVE COPY RESULTS CDB (SPC-4 6.20.1). */
    static byte[] receiveCopyResults(int serviceAction, int listId, int allocationLength) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x84).put(1, (byte) serviceAction).put(2, (byte) listId).putInt(10, allocationLength);
        return c.array();
    }
}
