package io.xtarget.initiator;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The outcome of one SCSI command.
 *
 * @param status SCSI status byte (SAM-5: 0x00 GOOD, 0x02 CHECK CONDITION, 0x08 BUSY, 0x18 RESERVATION
 *     CONFLICT, 0x28 TASK SET FULL)
 * @param sense raw sense bytes (empty when none)
 * @param data the Data-In bytes received, position 0, limit = bytes delivered
 * @param overflow the target had more data than the expected length (RFC 7143 11.4.5.1, O bit)
 * @param underflow the target sent/took less than the expected length (U bit)
 * @param residualCount the residual count from the response
 */
public record CommandResult(int status, byte[] sense, ByteBuffer data, boolean overflow, boolean underflow,
        long residualCount) {
    public static final int GOOD = 0x00;
    public static final int CHECK_CONDITION = 0x02;
    public static final int CONDITION_MET = 0x04;
    public static final int BUSY = 0x08;
    public static final int RESERVATION_CONFLICT = 0x18;
    public static final int TASK_SET_FULL = 0x28;
    public static final int ACA_ACTIVE = 0x30;
    public static final int TASK_ABORTED = 0x40;

    public CommandResult {
        sense = sense == null ? new byte[0] : sense;
        data = data == null ? ByteBuffer.allocate(0) : data;
    }

    public boolean good() {
        return status == GOOD;
    }

    /** The sense data parsed, when sense bytes are present and in a known format. */
    public Optional<SenseData> senseData() {
        return SenseData.parse(sense);
    }

    /** The received data as a fresh array. */
    public byte[] dataBytes() {
        byte[] out = new byte[data.remaining()];
        data.duplicate().get(out);
        return out;
    }

    @Override
    public String toString() {
        return String.format("CommandResult[status=0x%02x%s, data=%d bytes%s]", status,
                senseData().map(s -> ", " + s).orElse(""), data.remaining(),
                overflow ? ", overflow " + residualCount : underflow ? ", underflow " + residualCount : "");
    }
}
