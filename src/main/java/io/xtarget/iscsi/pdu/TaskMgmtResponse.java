package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Task Management Function Response (RFC 7143 11.6). */
public record TaskMgmtResponse(int response, int itt, int statSn, int expCmdSn, int maxCmdSn) implements Pdu {
    public static final int COMPLETE = 0;
    public static final int TASK_DOES_NOT_EXIST = 1;
    public static final int LUN_DOES_NOT_EXIST = 2;
    public static final int TASK_STILL_ALLEGIANT = 3;
    public static final int REASSIGNMENT_NOT_SUPPORTED = 4;
    public static final int NOT_SUPPORTED = 5;
    public static final int AUTHORIZATION_FAILED = 6;
    public static final int REJECTED = 255;

    public int opcode() {
        return Opcode.TASK_MGMT_RESPONSE;
    }

    public ByteBuffer data() {
        return EMPTY;
    }

    static TaskMgmtResponse decode(Bhs h) {
        return new TaskMgmtResponse(h.u8(2), h.i32(16), h.i32(24), h.i32(28), h.i32(32));
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.TASK_MGMT_RESPONSE, false).put8(1, 0x80).put8(2, response).put32(16, itt)
                .put32(24, statSn).put32(28, expCmdSn).put32(32, maxCmdSn);
    }
}
