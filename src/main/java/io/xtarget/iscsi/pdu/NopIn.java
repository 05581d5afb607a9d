package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** NOP-In (RFC 7143 11.19). ttt other than 0xFFFFFFFF asks the initiator for a NOP-Out reply. */
public record NopIn(long lun, int itt, int ttt, int statSn, int expCmdSn, int maxCmdSn, ByteBuffer data)
        implements Pdu {
    public NopIn {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.NOP_IN;
    }

    static NopIn decode(Bhs h, ByteBuffer data) {
        return new NopIn(h.i64(8), h.i32(16), h.i32(20), h.i32(24), h.i32(28), h.i32(32), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.NOP_IN, false).put8(1, 0x80).put64(8, lun).put32(16, itt).put32(20, ttt)
                .put32(24, statSn).put32(28, expCmdSn).put32(32, maxCmdSn);
    }
}
