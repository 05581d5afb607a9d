package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Logout Response (RFC 7143 11.15). */
public record LogoutResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn, int time2Wait,
        int time2Retain) implements Pdu {
    public int opcode() {
        return Opcode.LOGOUT_RESPONSE;
    }

    public ByteBuffer data() {
        return EMPTY;
    }

    static LogoutResponse decode(Bhs h) {
        return new LogoutResponse(h.u8(2), h.i32(16), h.i32(24), h.i32(28), h.i32(32), h.u16(40), h.u16(42));
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.LOGOUT_RESPONSE, false).put8(1, 0x80).put8(2, response).put32(16, itt).put32(24, statSn)
                .put32(28, expCmdSn).put32(32, maxCmdSn).put16(40, time2Wait).put16(42, time2Retain);
    }
}
