package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Text Response (RFC 7143 11.11). */
public record TextResponse(boolean fin, boolean cont, long lun, int itt, int ttt, int statSn, int expCmdSn,
        int maxCmdSn, ByteBuffer data) implements Pdu {
    public TextResponse {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.TEXT_RESPONSE;
    }

    static TextResponse decode(Bhs h, ByteBuffer data) {
        int f = h.flags();
        return new TextResponse((f & 0x80) != 0, (f & 0x40) != 0, h.i64(8), h.i32(16), h.i32(20), h.i32(24),
                h.i32(28), h.i32(32), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.TEXT_RESPONSE, false).put8(1, (fin ? 0x80 : 0) | (cont ? 0x40 : 0)).put64(8, lun)
                .put32(16, itt).put32(20, ttt).put32(24, statSn).put32(28, expCmdSn).put32(32, maxCmdSn);
    }
}
