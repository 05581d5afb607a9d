package io.xtarget.scsi.spc;

import io.xtarget.scsi.Alua;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.VpdPage;

/** INQUIRY (SPC-4 6.6): standard data and the VPD pages registered in the opcode table. */
final class Inquiry {
    /** Version descriptors (SPC-4 table 148) of the architecture and the command sets. */
    static final int SAM_5 = 0x00A0;
    static final int SPC_4 = 0x0460;
    static final int SBC_3 = 0x04C0;

    private Inquiry() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        boolean evpd = cdb.bit(1, 0); // CMDDT (obsolete since SPC-3) is reserved in the row's usage data
        int page = cdb.u8(2);
        int alloc = cdb.u16(3);
        if (!evpd) {
            if (page != 0) {
                throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
            }
            return ScsiResult.good(standard(task), alloc);
        }
        if (task.mapping() == null) {
            throw new ScsiException(Sense.lunNotSupported());
        }
        VpdPage vpd = task.core().opcodes().vpdPage(page);
        if (vpd == null) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
        }
        return ScsiResult.good(vpd.build(task), alloc);
    }

    /**
     * SAM-5, the transport of the nexus's target port when it claims one (the iSCSI fabric: 0960h,
     * iSCSI with no version claimed), SPC-4, SBC-3.
     */
    static int[] versionDescriptors(ScsiTask task) {
        TargetPort port = task.nexus() == null ? null : task.nexus().port();
        int transport = port == null ? 0 : port.protocol().versionDescriptor();
        return transport == 0 ? new int[] {SAM_5, SPC_4, SBC_3} : new int[] {SAM_5, transport, SPC_4, SBC_3};
    }

    /** Standard INQUIRY data (SPC-4 6.6.2), 96 bytes. */
    static byte[] standard(ScsiTask task) {
        OpcodeTable table = task.core().opcodes();
        boolean thirdPartyCopy = table.get(0x83) != null || table.hasServiceActions(0x83);
        DataBuilder b = new DataBuilder();
        // PERIPHERAL QUALIFIER 011b + type 1Fh: no logical unit can exist at this LUN.
        b.u8(task.mapping() == null ? 0x7F : 0x00);
        // RMB (SPC-4 6.6.2): the medium can be ejected and loaded with START STOP UNIT.
        b.u8(task.mapping() != null && task.mapping().unit().removable() ? 0x80 : 0x00);
        b.u8(0x06); // VERSION: SPC-4
        b.u8(0x10 | 0x02); // NORMACA 0, HISUP 1, RESPONSE DATA FORMAT 2
        b.u8(0); // ADDITIONAL LENGTH, set below
        // TPGS 01b (implicit ALUA), 11b on a gateway that also takes SET TARGET PORT GROUPS; 3PC
        Alua alua = task.core().alua();
        b.u8((alua != null && alua.explicit() ? 0x30 : 0x10) | (thirdPartyCopy ? 0x08 : 0));
        b.u8(0x00);
        b.u8(0x02); // CMDQUE
        b.ascii(LogicalUnit.VENDOR, 8);
        b.ascii(LogicalUnit.PRODUCT, 16);
        b.ascii(LogicalUnit.REVISION, 4);
        b.zeros(20); // vendor specific
        b.u8(0).u8(0); // CLOCKING/QAS/IUS, reserved
        int[] versions = versionDescriptors(task);
        for (int i = 0; i < 8; i++) {
            b.u16(i < versions.length ? versions[i] : 0);
        }
        b.zeros(22);
        b.setU8(4, b.length() - 5);
        return b.toArray();
    }
}
