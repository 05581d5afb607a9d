package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** SCSI Data-Out (RFC 7143 11.7). ttt 0xFFFFFFFF marks unsolicited data. */
public record DataOut(boolean fin, long lun, int itt, int ttt, int expStatSn, int dataSn, long bufferOffset,
        ByteBuffer data) implements Pdu {
    public DataOut {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.DATA_OUT;
    }

    static DataOut decode(Bhs h, ByteBuffer data) {
        return new DataOut((h.flags() & 0x80) != 0, h.i64(8), h.i32(16), h.i32(20), h.i32(28), h.i32(36), h.u32(40),
                data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.DATA_OUT, false).put8(1, fin ? 0x80 : 0).put64(8, lun).put32(16, itt).put32(20, ttt)
                .put32(28, expStatSn).put32(36, dataSn).put32(40, bufferOffset);
    }
}
