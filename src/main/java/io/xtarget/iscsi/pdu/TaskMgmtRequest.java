package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Task Management Function Request (RFC 7143 11.5). */
public record TaskMgmtRequest(boolean immediate, int function, long lun, int itt, int referencedTaskTag, int cmdSn,
        int expStatSn, int refCmdSn, int expDataSn) implements Pdu {
    public static final int ABORT_TASK = 1;
    public static final int ABORT_TASK_SET = 2;
    public static final int CLEAR_ACA = 3;
    public static final int CLEAR_TASK_SET = 4;
    public static final int LOGICAL_UNIT_RESET = 5;
    public static final int TARGET_WARM_RESET = 6;
    public static final int TARGET_COLD_RESET = 7;
    public static final int TASK_REASSIGN = 8;

    public int opcode() {
        return Opcode.TASK_MGMT_REQUEST;
    }

    public ByteBuffer data() {
        return EMPTY;
    }

    static TaskMgmtRequest decode(Bhs h) {
        return new TaskMgmtRequest(h.immediate(), h.flags() & 0x7F, h.i64(8), h.i32(16), h.i32(20), h.i32(24),
                h.i32(28), h.i32(32), h.i32(36));
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.TASK_MGMT_REQUEST, immediate).put8(1, 0x80 | function).put64(8, lun).put32(16, itt)
                .put32(20, referencedTaskTag).put32(24, cmdSn).put32(28, expStatSn).put32(32, refCmdSn)
                .put32(36, expDataSn);
    }
}
