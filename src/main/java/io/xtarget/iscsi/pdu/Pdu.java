package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * One iSCSI PDU as a typed value. {@link PduCodec} is the only place that turns bytes into these
 * records and back; the target and the initiator both use it.
 */
public sealed interface Pdu permits NopOut, NopIn, ScsiCommandPdu, ScsiResponsePdu, TaskMgmtRequest,
        TaskMgmtResponse, LoginRequest, LoginResponse, TextRequest, TextResponse, DataOut, DataIn,
        LogoutRequest, LogoutResponse, R2t, AsyncMessage, Reject, SnackRequest {

    ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    int opcode();

    /** The data segment, without padding; never null. */
    ByteBuffer data();

    /** Writes every header field except TotalAHSLength and DataSegmentLength. */
    void encode(Bhs h);

    /** Initiator task tag, 0xFFFFFFFF when reserved. */
    int itt();

    static ByteBuffer orEmpty(ByteBuffer b) {
        return b == null ? EMPTY : b;
    }
}
