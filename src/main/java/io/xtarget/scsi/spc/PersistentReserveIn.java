package io.xtarget.scsi.spc;

import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ReservationState;
import io.xtarget.scsi.Reservations;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;

/** PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION, REPORT CAPABILITIES, READ FULL STATUS. */
final class PersistentReserveIn {
    static final int READ_KEYS = 0;
    static final int READ_RESERVATION = 1;
    static final int REPORT_CAPABILITIES = 2;
    static final int READ_FULL_STATUS = 3;

    private PersistentReserveIn() {}

    static ScsiResult execute(ScsiTask task) throws ScsiException {
        Reservations res = task.lu().reservations();
        if (res.reservedByOther(task.nexus())) { // SPC-2 reservation of another nexus (SPC-4 5.12.3)
            throw ScsiException.reservationConflict();
        }
        int alloc = task.cdb().u16(7);
        ReservationState st = res.status();
        byte[] data = switch (task.cdb().serviceAction()) {
            case READ_KEYS -> readKeys(st);
            case READ_RESERVATION -> readReservation(st);
            case REPORT_CAPABILITIES -> reportCapabilities(res.persistsThroughPowerLoss(), st.aptpl());
            default -> readFullStatus(st);
        };
        return ScsiResult.good(data, alloc);
    }

    private static byte[] readKeys(ReservationState st) {
        DataBuilder b = new DataBuilder().u32(st.generation()).u32(0);
        for (ReservationState.Registration r : st.registrations()) {
            b.u64(r.key());
        }
        return b.setU32(4, b.length() - 8).toArray();
    }

    private static byte[] readReservation(ReservationState st) {
        DataBuilder b = new DataBuilder().u32(st.generation()).u32(0);
        if (st.reserved()) {
            b.u64(st.reservationKey()).u32(0).u8(0).u8(st.typeCode()).u16(0); // scope 0h: logical unit
        }
        return b.setU32(4, b.length() - 8).toArray();
    }

    /**
     * REPORT CAPABILITIES (6.15.4): CRH; TMV with every type; no ATP or SIP; PTPL_C when the LU's
     * ledger keeps the state through a restart, PTPL_A when the last REGISTER set APTPL there.
     */
    static byte[] reportCapabilities(boolean ptplCapable, boolean ptplActive) {
        return new DataBuilder().u16(8).u8(0x10 | (ptplCapable ? 0x01 : 0)).u8(0x80 | (ptplCapable && ptplActive ? 0x01 : 0))
                .u8(0xEA).u8(0x01).u16(0).toArray();
    }

    private static byte[] readFullStatus(ReservationState st) {
        DataBuilder b = new DataBuilder().u32(st.generation()).u32(0);
        for (ReservationState.Registration r : st.registrations()) {
            boolean holder = st.isHolder(r);
            Nexus n = r.nexus();
            byte[] tid = n.initiator().transportId(); // formatted by the fabric (SPC-4 7.6.4)
            b.u64(r.key()).u32(0);
            b.u8(holder ? 0x01 : 0x00); // ALL_TG_PT 0, R_HOLDER
            b.u8(holder ? st.typeCode() : 0);
            b.u32(0);
            b.u16(n.port() == null ? 0 : n.port().relativePortId());
            b.u32(tid.length).bytes(tid);
        }
        return b.setU32(4, b.length() - 8).toArray();
    }
}
