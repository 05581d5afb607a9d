package io.xtarget.scsi.spc;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/**
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.41): what the logical unit supports, the
 * same for every I_T nexus. Whether one initiator may use a reset is its grant
 * ({@link io.xtarget.scsi.LunMap#mayResetLogicalUnit}); a refused one gets the fabric's
 * authorization failure, not "not supported", so LURS and TRS stay set.
 */
final class ReportTaskManagementFunctions {
    /** ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, TARGET RESET. */
    static final int SUPPORTED = 0x80 | 0x40 | 0x10 | 0x08 | 0x02;

    private ReportTaskManagementFunctions() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        boolean extended = task.cdb().bit(2, 7); // REPD
        long alloc = task.cdb().u32(6);
        if (alloc < 4) {
            throw new ScsiException(Sense.invalidFieldInCdb(6, -1));
        }
        DataBuilder b = new DataBuilder().u8(SUPPORTED).u8(0x00).u8(0).u8(extended ? 0x0C : 0);
        if (extended) {
            b.zeros(12); // no task management timeouts reported
        }
        return ScsiResult.good(b.toArray(), alloc);
    }
}
