package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.Medium;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.UnitAttentions;
import java.io.IOException;

/**
 * START STOP UNIT (SBC-3 5.25) and PREVENT ALLOW MEDIUM REMOVAL (SBC-3 5.13, SPC-4 6.13).
 * Both run while a removable medium is ejected (the core exempts them from the medium check):
 * they are how it is loaded again.
 */
final class UnitCommands {
    private UnitCommands() {}

    /**
     * START STOP UNIT. Power conditions are accepted and not modelled: the LU is always active.
     * With POWER CONDITION 0 (START_VALID), START and LOEJ apply; STOP flushes unless NO_FLUSH.
     *
     * <p>Non-removable medium (INQUIRY RMB=0): START=1 (with or without LOEJ) is a no-op, the
     * medium being always loaded; an eject (LOEJ=1, START=0) cannot be done: MEDIUM REMOVAL
     * PREVENTED when PREVENT is set, otherwise INVALID FIELD IN CDB on LOEJ (libiscsi
     * StartStopUnit.Simple expects a failure). Reserved power conditions are INVALID FIELD IN CDB.
     *
     * <p>Removable medium (RMB=1): LOEJ=1 START=0 ejects it and LOEJ=1 START=1 loads it, both
     * refused with MEDIUM REMOVAL PREVENTED while any I_T nexus prevents removal. Loading
     * establishes NOT READY TO READY CHANGE for the other initiator ports (SPC-4 5.14). Any
     * nonzero POWER CONDITION, reserved values included, leaves the medium alone and succeeds
     * (libiscsi StartStopUnit.PwrCnd sends every value 1h-Fh with LOEJ=1 and expects GOOD with
     * the medium still loaded).
     */
    static ScsiResult startStopUnit(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb();
        LogicalUnit lu = task.lu();
        Medium medium = lu.medium();
        int b4 = cdb.u8(4);
        int powerCondition = b4 >>> 4;
        switch (powerCondition) {
            case 0x0 -> { } // START_VALID: START and LOEJ apply
            case 0x1, 0x2, 0x3, 0x7, 0xA, 0xB -> {
                return ScsiResult.good(); // ACTIVE, IDLE, STANDBY, LU_CONTROL, FORCE_IDLE_0, FORCE_STANDBY_0
            }
            default -> {
                if (medium.removable()) {
                    return ScsiResult.good();
                }
                throw new ScsiException(Sense.invalidFieldInCdb(4, 7));
            }
        }
        boolean start = (b4 & 0x01) != 0;
        boolean loej = (b4 & 0x02) != 0;
        boolean noFlush = (b4 & 0x04) != 0;
        if (medium.removable()) {
            return removable(task, lu, medium, start, loej, noFlush);
        }
        if (loej && !start) {
            if (medium.prevented()) {
                throw new ScsiException(Sense.mediumRemovalPrevented());
            }
            throw new ScsiException(Sense.invalidFieldInCdb(4, 1));
        }
        if (!start && !noFlush) {
            lu.flush(); // SBC-3 5.25: stopping writes cached data to the medium first
        }
        return ScsiResult.good();
    }

    /**
     * Whether a START STOP UNIT CDB loads or ejects the medium: POWER CONDITION 0 (START_VALID)
     * with LOEJ=1 (SBC-3 5.25). That changes the medium every I_T nexus sees, so the row is
     * {@link io.xtarget.scsi.CommandDescriptor.Flag#SHARED_STATE} for these CDBs. Every other CDB
     * leaves the unit as the other nexuses see it: START=1 only checks the medium is there,
     * START=0 only flushes the cache (power conditions are not modelled: the unit stays ready for
     * everybody), a nonzero POWER CONDITION is accepted and ignored. The CDB alone decides, so a
     * read-only mapping of a fixed disk gets WRITE PROTECTED for LOEJ=1 too, not the INVALID FIELD
     * IN CDB a writable one gets for an eject.
     */
    static boolean movesMedium(Cdb cdb) {
        int b4 = cdb.u8(4);
        return b4 >>> 4 == 0 && (b4 & 0x02) != 0;
    }

    private static ScsiResult removable(ScsiTask task, LogicalUnit lu, Medium medium, boolean start, boolean loej,
            boolean noFlush) throws ScsiException, IOException {
        if (loej && start) {
            int loaded = medium.load();
            if (loaded < 0) {
                throw new ScsiException(Sense.mediumRemovalPrevented());
            }
            if (loaded > 0) {
                lu.unitAttentions().establishForAll(UnitAttentions.MEDIUM_MAY_HAVE_CHANGED,
                        task.nexus());
            }
            return ScsiResult.good();
        }
        if (start) {
            // Nothing to spin up without a medium.
            if (!medium.present()) {
                throw new ScsiException(Sense.mediumNotPresent());
            }
            return ScsiResult.good();
        }
        if (loej && medium.prevented()) {
            throw new ScsiException(Sense.mediumRemovalPrevented());
        }
        if (!noFlush && medium.present()) {
            lu.flush(); // SBC-3 5.25: stopping (and so ejecting) writes cached data first
        }
        if (loej && !medium.eject()) {
            throw new ScsiException(Sense.mediumRemovalPrevented()); // prevented meanwhile
        }
        return ScsiResult.good();
    }

    /**
     * PREVENT ALLOW MEDIUM REMOVAL: 00b allow, 01b prevent, kept per I_T nexus (SPC-4 6.13: the
     * medium stays locked while any nexus prevents); 10b/11b are obsolete (medium changers only).
     */
    static ScsiResult preventAllow(ScsiTask task) throws ScsiException {
        int prevent = task.cdb().u8(4) & 0x03;
        if (prevent > 1) {
            throw new ScsiException(Sense.invalidFieldInCdb(4, 1));
        }
        task.lu().medium().setPrevent(task.nexus(), prevent == 1);
        return ScsiResult.good();
    }
}
