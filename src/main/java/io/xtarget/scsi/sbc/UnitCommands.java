package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;

/** START STOP UNIT (SBC-3 5.25) and PREVENT ALLOW MEDIUM REMOVAL (SBC-3 5.13, SPC-4). */
final class UnitCommands {
    private UnitCommands() {}

    /**
     * START STOP UNIT on a disk whose medium is not removable (INQUIRY RMB=0). Power
     * conditions are accepted and not modelled: the LU is always active. START=1 (with or
     * without LOEJ) is a no-op, the medium being always loaded; STOP flushes unless NO_FLUSH;
     * an eject (LOEJ=1, START=0) cannot be done: MEDIUM REMOVAL PREVENTED when PREVENT is set,
     * otherwise INVALID FIELD IN CDB on LOEJ (libiscsi StartStopUnit.Simple expects a failure).
     */
    static ScsiResult startStopUnit(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb();
        LogicalUnit lu = task.lu();
        int b4 = cdb.u8(4);
        int powerCondition = b4 >>> 4;
        switch (powerCondition) {
            case 0x0 -> { } // START_VALID: START and LOEJ apply
            case 0x1, 0x2, 0x3, 0x7, 0xA, 0xB -> {
                return ScsiResult.good(); // ACTIVE, IDLE, STANDBY, LU_CONTROL, FORCE_IDLE_0, FORCE_STANDBY_0
            }
            default -> throw new ScsiException(Sense.invalidFieldInCdb(4, 7));
        }
        boolean start = (b4 & 0x01) != 0;
        boolean loej = (b4 & 0x02) != 0;
        boolean noFlush = (b4 & 0x04) != 0;
        if (loej && !start) {
            if (lu.preventRemoval()) {
                throw new ScsiException(Sense.illegal(0x53, 0x02)); // MEDIUM REMOVAL PREVENTED
            }
            throw new ScsiException(Sense.invalidFieldInCdb(4, 1));
        }
        if (!start && !noFlush) {
            lu.flush(); // SBC-3 5.25: stopping writes cached data to the medium first
        }
        return ScsiResult.good();
    }

    /** PREVENT ALLOW MEDIUM REMOVAL: 00b allow, 01b prevent; 10b/11b are obsolete (medium changers only). */
    static ScsiResult preventAllow(ScsiTask task) throws ScsiException {
        int prevent = task.cdb().u8(4) & 0x03;
        if (prevent > 1) {
            throw new ScsiException(Sense.invalidFieldInCdb(4, 1));
        }
        task.lu().setPreventRemoval(prevent == 1);
        return ScsiResult.good();
    }
}
