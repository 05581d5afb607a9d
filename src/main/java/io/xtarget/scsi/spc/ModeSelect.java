package io.xtarget.scsi.spc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.UnitAttentions;
import java.nio.ByteBuffer;

/**
 * MODE SELECT(6) and MODE SELECT(10) (SPC-4 6.9, 6.10). The whole parameter list is validated
 * before anything is applied, so a rejected list changes nothing.
 */
final class ModeSelect {
    private ModeSelect() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        boolean ten = cdb.opcode() == SpcOpcodes.MODE_SELECT_10; // SP is reserved: nothing can be saved
        int len = ten ? cdb.u16(7) : cdb.u8(4);
        if (len == 0) {
            return ScsiResult.good();
        }
        ByteBuffer data = task.dataOut(len);
        byte[] p = new byte[len];
        data.get(p);

        int header = ten ? 8 : 4;
        if (len < header) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        boolean longLba = ten && (p[4] & 0x01) != 0;
        int bdl = ten ? ((p[6] & 0xFF) << 8) | (p[7] & 0xFF) : p[3] & 0xFF;
        int descSize = longLba ? 16 : 8;
        if (bdl % descSize != 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(ten ? 6 : 3, -1));
        }
        if (header + bdl > len) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        LogicalUnit lu = task.lu();
        for (int d = header; d < header + bdl; d += descSize) {
            // Only the block length is checked: it must be the medium's (or zero, "unchanged").
            int lenOff = longLba ? d + 12 : d + 5;
            long blockLength = longLba ? u32(p, lenOff) : ((p[lenOff] & 0xFF) << 16) | ((p[lenOff + 1] & 0xFF) << 8)
                    | (p[lenOff + 2] & 0xFF);
            if (blockLength != 0 && blockLength != lu.blockSize()) {
                throw new ScsiException(Sense.invalidFieldInParameterList(lenOff, -1));
            }
        }

        int off = header + bdl;
        int pagesStart = off;
        while (off < len) {
            if (len - off < 2) {
                throw new ScsiException(Sense.parameterListLengthError());
            }
            int code = p[off] & 0x3F;
            if ((p[off] & 0x40) != 0) { // SPF: no subpages implemented
                throw new ScsiException(Sense.invalidFieldInParameterList(off, 6));
            }
            if (!ModePages.known(code)) {
                throw new ScsiException(Sense.invalidFieldInParameterList(off, 5));
            }
            int size = ModePages.size(code);
            if ((p[off + 1] & 0xFF) != size - 2) {
                throw new ScsiException(Sense.invalidFieldInParameterList(off + 1, -1));
            }
            if (off + size > len) {
                throw new ScsiException(Sense.parameterListLengthError());
            }
            byte[] current = ModePages.page(code, ModePages.Values.CURRENT, lu.mode());
            byte[] mask = ModePages.changeable(code);
            for (int i = 2; i < size; i++) {
                int diff = (p[off + i] ^ current[i]) & ~mask[i] & 0xFF;
                if (diff != 0) {
                    throw new ScsiException(Sense.invalidFieldInParameterList(off + i, 31 - Integer.numberOfLeadingZeros(diff)));
                }
            }
            if (code == ModePages.INFORMATIONAL_EXCEPTIONS && (p[off + 3] & 0x0F) > 6) {
                throw new ScsiException(Sense.invalidFieldInParameterList(off + 3, 3)); // MRIE reserved value
            }
            off += size;
        }

        boolean changed = false;
        for (off = pagesStart; off < len; off += ModePages.size(p[off] & 0x3F)) {
            changed |= ModePages.apply(p[off] & 0x3F, p, off, lu.mode());
        }
        if (changed) {
            // SPC-4 5.14 / 6.9: the other I_T nexuses learn of the change by MODE PARAMETERS CHANGED.
            lu.unitAttentions().establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, task.nexus());
        }
        return ScsiResult.good();
    }

    private static long u32(byte[] p, int off) {
        return ((long) (p[off] & 0xFF) << 24) | ((p[off + 1] & 0xFF) << 16) | ((p[off + 2] & 0xFF) << 8) | (p[off + 3] & 0xFF);
    }
}
