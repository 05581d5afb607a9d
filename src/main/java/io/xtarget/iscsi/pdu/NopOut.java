package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** NOP-Out (RFC 7143 11.18). itt 0xFFFFFFFF means a reply to a target NOP-In. */
public record NopOut(boolean immediate, long lun, int itt, int ttt, int cmdSn, int expStatSn, ByteBuffer data)
        implements Pdu {
    public NopOut {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.NOP_OUT;
    }

    static NopOut decode(Bhs h, ByteBuffer data) {
        return new NopOut(h.immediate(), h.i64(8), h.i32(16), h.i32(20), h.i32(24), h.i32(28), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.NOP_OUT, immediate).put8(1, 0x80).put64(8, lun).put32(16, itt).put32(20, ttt)
                .put32(24, cmdSn).put32(28, expStatSn);
    }
}
