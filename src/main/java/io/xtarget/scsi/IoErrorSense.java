package io.xtarget.scsi;

import io.xtarget.backend.FlushFailedException;
import io.xtarget.backend.OutOfSpaceException;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sense data for a command that failed with an I/O error from the data path, chosen by what
 * failed rather than by the command (SPC-4 4.5.6 sense keys, Annex D codes):
 * <ul>
 *   <li>{@link OutOfSpaceException}: DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT
 *       (27h/07h), SBC-3 4.7.3.6 — a thin LU whose file system is full is not broken;</li>
 *   <li>{@link FlushFailedException}: MEDIUM ERROR / WRITE ERROR (0Ch/00h) — written data did
 *       not reach the medium, whether the command was SYNCHRONIZE CACHE (a READ row for
 *       reservations) or a FUA write;</li>
 *   <li>{@link LogicalUnitFailedException}: HARDWARE ERROR / INTERNAL TARGET FAILURE (44h/00h) —
 *       the LU is failed after a flush failure, a nonrecoverable condition of the target (SPC-4
 *       4.5.6, HARDWARE ERROR) until an administrator enables it; Linux fails such commands
 *       without retrying them and without failing the path over;</li>
 *   <li>{@link StoreFencedException}: NOT READY / LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS
 *       STATE TRANSITION (04h/0Ah, {@link Sense#asymmetricAccessStateTransition}) — another
 *       gateway owns the shared image now or fenced this one (Ceph: another client's exclusive
 *       lock, or blocklisted); the operation did not happen, and the initiator retries it on the
 *       path that owns the LU;</li>
 *   <li>{@link StoreUnavailableException}: NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT
 *       REPORTABLE (04h/00h) — a network store's cluster cannot be reached now (Ceph: timed
 *       out); nothing says data was lost;</li>
 *   <li>anything else: MEDIUM ERROR / WRITE ERROR for rows that write user data, else MEDIUM
 *       ERROR / UNRECOVERED READ ERROR (11h/00h).</li>
 * </ul>
 */
public final class IoErrorSense {
    private static final Logger log = LoggerFactory.getLogger(ScsiCore.class);

    private IoErrorSense() {}

    public static Sense of(IOException e, MediumAccess access) {
        if (e instanceof OutOfSpaceException) {
            return Sense.spaceAllocationFailed();
        }
        if (e instanceof LogicalUnitFailedException) {
            return Sense.internalTargetFailure();
        }
        if (e instanceof StoreFencedException) {
            return Sense.asymmetricAccessStateTransition();
        }
        if (e instanceof StoreUnavailableException) {
            return Sense.notReportableNotReady();
        }
        if (e instanceof FlushFailedException || access == MediumAccess.WRITE) {
            return Sense.writeError();
        }
        return Sense.unrecoveredReadError();
    }

    /**
     * Logs the failure of one command. Conditions the logical unit already logged once for the
     * whole episode (out of space, a failed flush, a failed LU) are logged at DEBUG only.
     */
    static void log(ScsiTask task, IOException e) {
        if (e instanceof OutOfSpaceException || e instanceof FlushFailedException
                || e instanceof LogicalUnitFailedException || e instanceof StoreFencedException) {
            log.debug("I/O error on {}: {}", task, e.toString());
        } else {
            log.warn("I/O error on {}: {}", task, e.toString());
        }
    }
}
