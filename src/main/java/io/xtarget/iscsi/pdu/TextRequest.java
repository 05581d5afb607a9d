package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Text Request (RFC 7143 11.10). */
public record TextRequest(boolean immediate, boolean fin, boolean cont, long lun, int itt, int ttt, int cmdSn,
        int expStatSn, ByteBuffer data) implements Pdu {
    public TextRequest {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.TEXT_REQUEST;
    }

    static TextRequest decode(Bhs h, ByteBuffer data) {
        int f = h.flags();
        return new TextRequest(h.immediate(), (f & 0x80) != 0, (f & 0x40) != 0, h.i64(8), h.i32(16), h.i32(20),
                h.i32(24), h.i32(28), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.TEXT_REQUEST, immediate).put8(1, (fin ? 0x80 : 0) | (cont ? 0x40 : 0)).put64(8, lun)
                .put32(16, itt).put32(20, ttt).put32(24, cmdSn).put32(28, expStatSn);
    }
}
