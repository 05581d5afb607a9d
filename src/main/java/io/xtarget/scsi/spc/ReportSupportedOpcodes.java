package io.xtarget.scsi.spc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), derived only from the opcode table so it can
 * never disagree with dispatch.
 */
final class ReportSupportedOpcodes {
    private ReportSupportedOpcodes() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        boolean rctd = cdb.bit(2, 7);
        int options = cdb.u8(2) & 0x07;
        int opcode = cdb.u8(3);
        int sa = cdb.u16(4);
        long alloc = cdb.u32(6);
        OpcodeTable table = task.core().opcodes();
        byte[] data = switch (options) {
            case 0 -> all(table, rctd);
            case 1 -> {
                if (table.hasServiceActions(opcode)) {
                    throw new ScsiException(Sense.invalidFieldInCdb(2, 2));
                }
                yield one(table.get(opcode), rctd);
            }
            case 2 -> {
                if (table.get(opcode) != null) { // implemented, but without service actions
                    throw new ScsiException(Sense.invalidFieldInCdb(2, 2));
                }
                yield one(table.get(opcode, sa), rctd);
            }
            case 3 -> one(table.hasServiceActions(opcode) ? table.get(opcode, sa)
                    : sa == 0 ? table.get(opcode) : null, rctd);
            default -> throw new ScsiException(Sense.invalidFieldInCdb(2, 2));
        };
        return ScsiResult.good(data, alloc);
    }

    private static byte[] all(OpcodeTable table, boolean rctd) {
        DataBuilder b = new DataBuilder().u32(0);
        for (CommandDescriptor d : table.all()) {
            b.u8(d.opcode()).u8(0).u16(d.hasServiceAction() ? d.serviceAction() : 0).u8(0);
            b.u8((rctd ? 0x02 : 0) | (d.hasServiceAction() ? 0x01 : 0)); // CTDP, SERVACTV
            b.u16(d.cdbUsage().length);
            if (rctd) {
                timeouts(b);
            }
        }
        b.setU32(0, b.length() - 4);
        return b.toArray();
    }

    private static byte[] one(CommandDescriptor d, boolean rctd) {
        DataBuilder b = new DataBuilder().u8(0);
        if (d == null) {
            return b.u8(0x01).u16(0).toArray(); // SUPPORT 001b: not supported
        }
        b.u8((rctd ? 0x80 : 0) | 0x03); // CTDP, SUPPORT 011b: supported as the standard says
        b.u16(d.cdbUsage().length).bytes(d.cdbUsage());
        if (rctd) {
            timeouts(b);
        }
        return b.toArray();
    }

    /** Command timeouts descriptor (6.35.4): no nominal or recommended timeout is claimed. */
    private static void timeouts(DataBuilder b) {
        b.u16(0x0A).u8(0).u8(0).u32(0).u32(0);
    }
}
