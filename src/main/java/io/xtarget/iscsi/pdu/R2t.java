package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Ready To Transfer (RFC 7143 11.8). */
public record R2t(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, int r2tSn, long bufferOffset,
        long desiredLength) implements Pdu {
    public int opcode() {
        return Opcode.R2T;
    }

    public ByteBuffer data() {
        return EMPTY;
    }

    static R2t decode(Bhs h) {
        return new R2t(h.i64(8), h.i32(16), h.i32(20), h.i32(24), h.i32(28), h.i32(32), h.i32(36), h.u32(40),
                h.u32(44));
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.R2T, false).put8(1, 0x80).put64(8, lun).put32(16, itt).put32(20, ttt).put32(24, statSn)
                .put32(28, expCmdSn).put32(32, maxCmdSn).put32(36, r2tSn).put32(40, bufferOffset)
                .put32(44, desiredLength);
    }
}
