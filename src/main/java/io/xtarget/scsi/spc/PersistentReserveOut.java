package io.xtarget.scsi.spc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.ReservationType;
import io.xtarget.scsi.Reservations;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * PERSISTENT RESERVE OUT (SPC-4 6.16): parses the CDB and the 24-byte basic parameter list; the
 * state machine lives in {@link Reservations}; PREEMPT AND ABORT aborts the preempted nexuses'
 * tasks through the core's {@link io.xtarget.scsi.TaskManager}. CLEAR aborts nothing: commands
 * already accepted continue (SPC-4 5.12.11.2.3). REGISTER AND MOVE, SPEC_I_PT and ALL_TG_PT are
 * not supported; APTPL only where the LU's ledger keeps the state through a restart (a shared
 * ledger in the storage cluster), as REPORT CAPABILITIES says.
 */
final class PersistentReserveOut {
    static final int REGISTER = 0;
    static final int RESERVE = 1;
    static final int RELEASE = 2;
    static final int CLEAR = 3;
    static final int PREEMPT = 4;
    static final int PREEMPT_AND_ABORT = 5;
    static final int REGISTER_AND_IGNORE = 6;

    private PersistentReserveOut() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException, IOException {
        Cdb cdb = task.cdb();
        Reservations res = task.lu().reservations();
        if (res.reservedByOther(task.nexus())) { // SPC-2 reservation of another nexus (SPC-4 5.12.3)
            throw ScsiException.reservationConflict();
        }
        int sa = cdb.serviceAction();
        int scope = cdb.u8(2) >>> 4;
        int type = cdb.u8(2) & 0x0F;
        long listLength = cdb.u32(5);
        if (listLength != 24) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        ByteBuffer p = task.dataOut(24);
        long key = p.getLong(0);
        long saKey = p.getLong(8);
        int flags = p.get(20) & 0xFF;
        if ((flags & 0x08) != 0) { // SPEC_I_PT
            throw new ScsiException(Sense.invalidFieldInParameterList(20, 3));
        }
        if ((flags & 0x04) != 0) { // ALL_TG_PT
            throw new ScsiException(Sense.invalidFieldInParameterList(20, 2));
        }
        boolean aptpl = (flags & 0x01) != 0;
        if (aptpl && !res.persistsThroughPowerLoss()) { // nothing survives a power loss here
            throw new ScsiException(Sense.invalidFieldInParameterList(20, 0));
        }
        boolean scoped = sa == RESERVE || sa == RELEASE || sa == PREEMPT || sa == PREEMPT_AND_ABORT;
        if (scoped && scope != 0) { // only LU_SCOPE
            throw new ScsiException(Sense.invalidFieldInCdb(2, 7));
        }
        ReservationType t = ReservationType.of(type);
        if ((sa == RESERVE || sa == RELEASE) && t == null) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, 3));
        }
        switch (sa) {
            case REGISTER -> res.register(task.nexus(), key, saKey, false, aptpl);
            case REGISTER_AND_IGNORE -> res.register(task.nexus(), key, saKey, true, aptpl);
            case RESERVE -> res.reserve(task.nexus(), key, t);
            case RELEASE -> res.release(task.nexus(), key, t);
            case CLEAR -> res.clear(task.nexus(), key);
            case PREEMPT -> res.preempt(task.nexus(), key, saKey, type, false);
            case PREEMPT_AND_ABORT -> task.core().taskManager().preemptAndAbort(task.lu(),
                    res.preempt(task.nexus(), key, saKey, type, true), task);
            default -> throw new ScsiException(Sense.invalidFieldInCdb(1, 4));
        }
        return ScsiResult.good();
    }
}
