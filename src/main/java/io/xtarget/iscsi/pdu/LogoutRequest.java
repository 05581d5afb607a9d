package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Logout Request (RFC 7143 11.14). Reason 0 closes the session, 1 the connection, 2 for recovery. */
public record LogoutRequest(boolean immediate, int reason, int itt, int cid, int cmdSn, int expStatSn)
        implements Pdu {
    public int opcode() {
        return Opcode.LOGOUT_REQUEST;
    }

    public ByteBuffer data() {
        return EMPTY;
    }

    static LogoutRequest decode(Bhs h) {
        return new LogoutRequest(h.immediate(), h.flags() & 0x7F, h.i32(16), h.u16(20), h.i32(24), h.i32(28));
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.LOGOUT_REQUEST, immediate).put8(1, 0x80 | reason).put32(16, itt).put16(20, cid)
                .put32(24, cmdSn).put32(28, expStatSn);
    }
}
