package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/** Turns header bytes + data into typed PDUs and typed PDUs into header bytes. Total: never throws unchecked. */
public final class PduCodec {
    private PduCodec() {}

    /**
     * Decodes one PDU.
     *
     * @param bhs the 48 header bytes
     * @param ahs the additional header segments (may be empty)
     * @param data the data segment without padding
     * @throws PduException with reject reason COMMAND_NOT_SUPPORTED for an unknown opcode
     */
    public static Pdu decode(byte[] bhs, byte[] ahs, ByteBuffer data) throws PduException {
        Bhs h = new Bhs(bhs);
        return switch (h.opcode()) {
            case Opcode.NOP_OUT -> NopOut.decode(h, data);
            case Opcode.NOP_IN -> NopIn.decode(h, data);
            case Opcode.SCSI_COMMAND -> ScsiCommandPdu.decode(h, ahs, data);
            case Opcode.SCSI_RESPONSE -> ScsiResponsePdu.decode(h, data);
            case Opcode.TASK_MGMT_REQUEST -> TaskMgmtRequest.decode(h);
            case Opcode.TASK_MGMT_RESPONSE -> TaskMgmtResponse.decode(h);
            case Opcode.LOGIN_REQUEST -> LoginRequest.decode(h, data);
            case Opcode.LOGIN_RESPONSE -> LoginResponse.decode(h, data);
            case Opcode.TEXT_REQUEST -> TextRequest.decode(h, data);
            case Opcode.TEXT_RESPONSE -> TextResponse.decode(h, data);
            case Opcode.DATA_OUT -> DataOut.decode(h, data);
            case Opcode.DATA_IN -> DataIn.decode(h, data);
            case Opcode.LOGOUT_REQUEST -> LogoutRequest.decode(h);
            case Opcode.LOGOUT_RESPONSE -> LogoutResponse.decode(h);
            case Opcode.R2T -> R2t.decode(h);
            case Opcode.ASYNC_MESSAGE -> AsyncMessage.decode(h, data);
            case Opcode.REJECT -> Reject.decode(h, data);
            case Opcode.SNACK_REQUEST -> SnackRequest.decode(h);
            default -> throw new PduException("unknown opcode 0x" + Integer.toHexString(h.opcode()),
                    Reject.COMMAND_NOT_SUPPORTED, bhs.clone());
        };
    }

    /** The 48-byte BHS of a PDU, with DataSegmentLength set and no AHS. */
    public static byte[] header(Pdu pdu) {
        Bhs h = new Bhs();
        pdu.encode(h);
        h.put8(4, 0);
        h.put24(5, pdu.data().remaining());
        return h.bytes();
    }
}
