package io.xtarget.scsi.spc;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;

/**
 * SPC-2 RESERVE(6)/(10) and RELEASE(6)/(10) (SPC-2 7.21-7.24): whole-unit reservations of one
 * I_T nexus. Third-party reservations and extents are not supported: their rows declare no CDB
 * bit after the opcode, so the core rejects 3RDPTY, LONGID, EXTENT and the rest before these run.
 */
final class ReserveRelease {
    private ReserveRelease() {}

    static ScsiResult reserve(ScsiTask task) throws ScsiException, java.io.IOException {
        if (!task.lu().reservations().reserve(task.nexus())) {
            throw ScsiException.reservationConflict();
        }
        return ScsiResult.good();
    }

    static ScsiResult release(ScsiTask task) throws ScsiException, java.io.IOException {
        if (!task.lu().reservations().release(task.nexus())) {
            throw ScsiException.reservationConflict();
        }
        return ScsiResult.good();
    }
}
