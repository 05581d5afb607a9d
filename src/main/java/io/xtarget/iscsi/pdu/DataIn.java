package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Data-In (RFC 7143 11.7). With {@code statusPresent} it also carries the command's status
 * (phase collapse) and the residual flags {@code O}=0x04 / {@code U}=0x02.
 */
public record DataIn(boolean fin, boolean ack, int residualFlags, boolean statusPresent, int status, long lun,
        int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, int dataSn, long bufferOffset, long residual,
        ByteBuffer data) implements Pdu {
    public DataIn {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.DATA_IN;
    }

    static DataIn decode(Bhs h, ByteBuffer data) {
        int f = h.flags();
        return new DataIn((f & 0x80) != 0, (f & 0x40) != 0, f & 0x06, (f & 0x01) != 0, h.u8(3), h.i64(8), h.i32(16),
                h.i32(20), h.i32(24), h.i32(28), h.i32(32), h.i32(36), h.u32(40), h.u32(44), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.DATA_IN, false)
                .put8(1, (fin ? 0x80 : 0) | (ack ? 0x40 : 0) | (residualFlags & 0x06) | (statusPresent ? 1 : 0))
                .put8(3, statusPresent ? status : 0).put64(8, lun).put32(16, itt).put32(20, ttt)
                .put32(24, statusPresent ? statSn : 0).put32(28, expCmdSn).put32(32, maxCmdSn).put32(36, dataSn)
                .put32(40, bufferOffset).put32(44, statusPresent ? residual : 0);
    }
}
