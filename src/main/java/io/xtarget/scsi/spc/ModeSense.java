package io.xtarget.scsi.spc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/**
 * MODE SENSE(6) and MODE SENSE(10) (SPC-4 6.11, 6.12). Subpage format pages: only the Logical
 * Block Provisioning page 1Ch/02h (SBC-3), on LUs that support thresholds.
 */
final class ModeSense {
    private ModeSense() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException, java.io.IOException {
        Cdb cdb = task.cdb();
        boolean ten = cdb.opcode() == SpcOpcodes.MODE_SENSE_10;
        boolean dbd = cdb.bit(1, 3);
        boolean llbaa = ten && cdb.bit(1, 4);
        int pc = cdb.u8(2) >>> 6;
        int code = cdb.u8(2) & 0x3F;
        int subpage = cdb.u8(3);
        int alloc = ten ? cdb.u16(7) : cdb.u8(4);
        if (pc == 3) {
            throw new ScsiException(Sense.savingParametersNotSupported());
        }
        LogicalUnit lu = task.lu();
        // Subpage 00h: the page itself; FFh: with its subpages. The only subpage is 1Ch/02h,
        // Logical Block Provisioning, on LUs that support thresholds.
        boolean lbp = lu.provisioning().thresholdsSupported();
        boolean lbpOnly = code == ModePages.INFORMATIONAL_EXCEPTIONS
                && subpage == ModePages.LOGICAL_BLOCK_PROVISIONING_SUBPAGE && lbp;
        if (subpage != 0x00 && subpage != 0xFF && !lbpOnly) {
            throw new ScsiException(Sense.invalidFieldInCdb(3, -1));
        }
        if (code != ModePages.ALL && !ModePages.known(code)) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, 5));
        }
        ModePages.Values values = ModePages.Values.values()[pc];

        DataBuilder b = new DataBuilder();
        // Device-specific parameter (SBC-3 6.4.1): WP, DPOFUA.
        boolean wp = task.mapping().readOnly() || lu.mode().softwareWriteProtect;
        int dsp = (wp ? 0x80 : 0) | 0x10;
        int descLen = dbd ? 0 : llbaa ? 16 : 8;
        if (ten) {
            b.u16(0).u8(0).u8(dsp).u8(llbaa && !dbd ? 0x01 : 0).u8(0).u16(descLen);
        } else {
            b.u8(0).u8(0).u8(dsp).u8(descLen);
        }
        if (!dbd) {
            long blocks = lu.blockCount();
            if (llbaa) {
                b.u64(blocks).u32(0).u32(lu.blockSize());
            } else {
                b.u32(Math.min(blocks, 0xFFFFFFFFL)).u8(0).u8(lu.blockSize() >>> 16).u16(lu.blockSize());
            }
        }
        for (int c : ModePages.CODES) {
            if ((code == ModePages.ALL || code == c) && !lbpOnly) {
                b.bytes(ModePages.page(c, values, lu.mode()));
            }
            if (c == ModePages.INFORMATIONAL_EXCEPTIONS && lbp
                    && (lbpOnly || subpage == 0xFF && (code == ModePages.ALL || code == c))) {
                b.bytes(ModePages.logicalBlockProvisioning(values, lu.provisioning()));
            }
        }
        if (ten) {
            b.setU16(0, b.length() - 2);
        } else {
            b.setU8(0, Math.min(255, b.length() - 1));
        }
        return ScsiResult.good(b.toArray(), alloc);
    }
}
