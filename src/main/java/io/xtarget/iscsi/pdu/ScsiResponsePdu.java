package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Response (RFC 7143 11.4). The data segment carries SenseLength + sense data when status is
 * CHECK CONDITION.
 *
 * @param flags byte 1 without the F bit: o=0x10 u=0x08 O=0x04 U=0x02
 */
public record ScsiResponsePdu(int flags, int response, int status, int itt, int statSn, int expCmdSn, int maxCmdSn,
        int expDataSn, long bidiResidual, long residual, ByteBuffer data) implements Pdu {
    public static final int OVERFLOW = 0x04;
    public static final int UNDERFLOW = 0x02;

    public ScsiResponsePdu {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.SCSI_RESPONSE;
    }

    static ScsiResponsePdu decode(Bhs h, ByteBuffer data) {
        return new ScsiResponsePdu(h.flags() & 0x1E, h.u8(2), h.u8(3), h.i32(16), h.i32(24), h.i32(28), h.i32(32),
                h.i32(36), h.u32(40), h.u32(44), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.SCSI_RESPONSE, false).put8(1, 0x80 | (flags & 0x1E)).put8(2, response).put8(3, status)
                .put32(16, itt).put32(24, statSn).put32(28, expCmdSn).put32(32, maxCmdSn).put32(36, expDataSn)
                .put32(40, bidiResidual).put32(44, residual);
    }

    /** The sense bytes carried in the data segment (empty when none). */
    public byte[] sense() {
        ByteBuffer d = data.duplicate();
        if (d.remaining() < 2) {
            return new byte[0];
        }
        int len = Math.min(d.getShort() & 0xFFFF, d.remaining());
        byte[] s = new byte[len];
        d.get(s);
        return s;
    }
}
