package io.xtarget.scsi.spc;

import io.xtarget.scsi.LunAddress;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/** REPORT LUNS (SPC-4 6.33): the LUNs of this I_T nexus's LUN map. */
final class ReportLuns {
    private ReportLuns() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        int select = task.cdb().u8(2);
        long alloc = task.cdb().u32(6);
        if (select > 2) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
        }
        if (alloc < 16) {
            throw new ScsiException(Sense.invalidFieldInCdb(6, -1));
        }
        DataBuilder b = new DataBuilder().u32(0).u32(0);
        if (select != 1) { // 01h: well known LUNs only, and this target has none
            if (task.lunMap().isEmpty()) {
                b.u64(LunAddress.encode(0)); // LUN 0 is always reported (SAM-5 4.6.x)
            }
            for (LunMapping m : task.lunMap().mappings()) {
                b.u64(LunAddress.encode(m.lun()));
            }
        }
        b.setU32(0, b.length() - 8);
        return ScsiResult.good(b.toArray(), alloc);
    }
}
