package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Asynchronous Message (RFC 7143 11.9). Event 1 requests logout, 4 requests renegotiation. */
public record AsyncMessage(long lun, int statSn, int expCmdSn, int maxCmdSn, int event, int vcode, int param1,
        int param2, int param3, ByteBuffer data) implements Pdu {
    public AsyncMessage {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.ASYNC_MESSAGE;
    }

    public int itt() {
        return -1;
    }

    static AsyncMessage decode(Bhs h, ByteBuffer data) {
        return new AsyncMessage(h.i64(8), h.i32(24), h.i32(28), h.i32(32), h.u8(36), h.u8(37), h.u16(38), h.u16(40),
                h.u16(42), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.ASYNC_MESSAGE, false).put8(1, 0x80).put64(8, lun).put32(16, -1).put32(24, statSn)
                .put32(28, expCmdSn).put32(32, maxCmdSn).put8(36, event).put8(37, vcode).put16(38, param1)
                .put16(40, param2).put16(42, param3);
    }
}
