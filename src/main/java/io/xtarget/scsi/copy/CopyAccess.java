package io.xtarget.scsi.copy;

import io.xtarget.scsi.AccessCheck;
import io.xtarget.scsi.AccessCheck.Denial;
import io.xtarget.scsi.AccessCheck.Request;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiTask;

/**
 * The copy manager's access to a copy target: the core's {@link AccessCheck} (what a READ of the
 * source or a WRITE of the destination, sent by the copy's I_T nexus through that mapping, would
 * get), its answer turned into the copy's answer. Every copy (EXTENDED COPY segments, token
 * copies) goes through here, so copies and commands never disagree. The mapping, in one place:
 *
 * <table>
 *   <caption>command answer to copy answer</caption>
 *   <tr><th>a READ/WRITE gets</th><th>the copy gets</th></tr>
 *   <tr><td>RESERVATION CONFLICT (SPC-4 5.12)</td><td>RESERVATION CONFLICT status: the copy is
 *       the initiator's access, a reservation of another nexus forbids it</td></tr>
 *   <tr><td>DATA PROTECT / WRITE PROTECTED 27h/00h (read-only mapping)</td><td>the same, with the
 *       segment in COMMAND-SPECIFIC INFORMATION</td></tr>
 *   <tr><td>DATA PROTECT / SOFTWARE WRITE PROTECTED 27h/02h (SWP)</td><td>the same, with the
 *       segment</td></tr>
 *   <tr><td>LOGICAL UNIT NOT SUPPORTED (no such LU for this initiator), NOT READY (missing image,
 *       medium not present, sanitize in progress), MEDIUM ERROR / SANITIZE COMMAND FAILED</td>
 *       <td>COPY ABORTED / COPY TARGET DEVICE NOT REACHABLE 0Dh/02h with the segment (SPC-4 6.4.4:
 *       the copy manager could not use the copy target)</td></tr>
 *   <tr><td>UNIT ATTENTION</td><td>never: the copy manager's access takes no unit attention
 *       ({@link Request#COPY_READ}, {@link Request#COPY_WRITE})</td></tr>
 * </table>
 *
 * <p>A destination this server serves as a gateway that is not the LU's home (active/non-optimized)
 * is written as a WRITE command would write it: the store takes the image's lock for the write
 * ({@link io.xtarget.backend.LockOwnership}); a lock it cannot get is NOT READY 04h/0Ah to a
 * command and COPY ABORTED 0Dh/02h to a copy, like any NOT READY.
 */
final class CopyAccess {
    private CopyAccess() {}

    /**
     * Checks one copy target of a segment.
     *
     * @param mapping how the copy's initiator reaches the LU, or null when it reaches none by that designator
     * @param destination written (WRITE) rather than read (READ)
     * @param segment segment index, for COMMAND-SPECIFIC INFORMATION
     * @return the LU
     */
    static LogicalUnit check(ScsiTask task, LunMapping mapping, boolean destination, int segment)
            throws ScsiException {
        Denial d = AccessCheck.check(task.nexus(), mapping, destination ? Request.COPY_WRITE : Request.COPY_READ);
        if (d != null) {
            throw refused(d, segment);
        }
        return mapping.unit();
    }

    /** The copy's answer to a refusal of the core's access check (table above). */
    static ScsiException refused(Denial d, int segment) {
        return switch (d.refusal()) {
            case RESERVATION_CONFLICT -> ScsiException.reservationConflict();
            case READ_ONLY_MAPPING, SOFTWARE_WRITE_PROTECT -> new ScsiException(d.sense().withCommandSpecific(segment));
            case LUN_NOT_SUPPORTED, UNIT_ATTENTION, SANITIZE_IN_PROGRESS, SANITIZE_FAILED, IMAGE_MISSING,
                    MEDIUM_NOT_PRESENT -> new ScsiException(CopySense.targetNotReachable(segment));
        };
    }
}
