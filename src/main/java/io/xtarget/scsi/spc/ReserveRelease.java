package io.xtarget.scsi.spc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/**
 * SPC-2 RESERVE(6)/(10) and RELEASE(6)/(10) (SPC-2 7.21-7.24): whole-unit reservations of one
 * I_T nexus. Third-party reservations and extents are not supported.
 */
final class ReserveRelease {
    private ReserveRelease() {}

    private static void checkCdb(Cdb cdb) throws ScsiException {
        if (cdb.opcode() == SpcOpcodes.RESERVE_6 || cdb.opcode() == SpcOpcodes.RELEASE_6) {
            if ((cdb.u8(1) & 0x1F) != 0) { // 3RDPTY, third party device id, extent
                throw new ScsiException(Sense.invalidFieldInCdb(1, -1));
            }
        } else if (cdb.bit(1, 4) || cdb.bit(1, 1)) { // 3RDPTY, LONGID
            throw new ScsiException(Sense.invalidFieldInCdb(1, cdb.bit(1, 4) ? 4 : 1));
        }
    }

    static ScsiResult reserve(ScsiTask task) throws ScsiException {
        checkCdb(task.cdb());
        if (!task.lu().reservations().reserve(task.nexus())) {
            throw ScsiException.reservationConflict();
        }
        return ScsiResult.good();
    }

    static ScsiResult release(ScsiTask task) throws ScsiException {
        checkCdb(task.cdb());
        if (!task.lu().reservations().release(task.nexus())) {
            throw ScsiException.reservationConflict();
        }
        return ScsiResult.good();
    }
}
