package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Reject (RFC 7143 11.17). The data segment is the rejected PDU's header. */
public record Reject(int reason, int statSn, int expCmdSn, int maxCmdSn, int dataSn, ByteBuffer data)
        implements Pdu {
    public static final int DATA_DIGEST_ERROR = 0x02;
    public static final int SNACK_REJECT = 0x03;
    public static final int PROTOCOL_ERROR = 0x04;
    public static final int COMMAND_NOT_SUPPORTED = 0x05;
    public static final int IMMEDIATE_COMMAND_REJECT = 0x06;
    public static final int TASK_IN_PROGRESS = 0x07;
    public static final int INVALID_DATA_ACK = 0x08;
    public static final int INVALID_PDU_FIELD = 0x09;
    public static final int OUT_OF_RESOURCES = 0x0A;
    public static final int WAITING_FOR_LOGOUT = 0x0C;

    public Reject {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.REJECT;
    }

    public int itt() {
        return -1;
    }

    static Reject decode(Bhs h, ByteBuffer data) {
        return new Reject(h.u8(2), h.i32(24), h.i32(28), h.i32(32), h.i32(36), data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.REJECT, false).put8(1, 0x80).put8(2, reason).put32(16, -1).put32(24, statSn)
                .put32(28, expCmdSn).put32(32, maxCmdSn).put32(36, dataSn);
    }
}
