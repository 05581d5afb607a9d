package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** SNACK Request (RFC 7143 11.16). Only parsed so it can be rejected: the target runs ErrorRecoveryLevel 0. */
public record SnackRequest(int type, long lun, int itt, int ttt, int expStatSn, int begRun, int runLength)
        implements Pdu {
    public int opcode() {
        return Opcode.SNACK_REQUEST;
    }

    public ByteBuffer data() {
        return EMPTY;
    }

    static SnackRequest decode(Bhs h) {
        return new SnackRequest(h.flags() & 0x0F, h.i64(8), h.i32(16), h.i32(20), h.i32(28), h.i32(40), h.i32(44));
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.SNACK_REQUEST, false).put8(1, 0x80 | type).put64(8, lun).put32(16, itt).put32(20, ttt)
                .put32(28, expStatSn).put32(40, begRun).put32(44, runLength);
    }
}
