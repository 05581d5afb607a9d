package io.xtarget.scsi;

import java.nio.ByteBuffer;

/**
 * The outcome of a command: status, optional sense, optional data-in. {@code data} holds exactly
 * the bytes the command returns (already cut to its ALLOCATION LENGTH); the fabric compares its
 * size with the initiator's expected length to report residuals.
 */
public record ScsiResult(ScsiStatus status, Sense sense, ByteBuffer data) {
    private static final ScsiResult GOOD = new ScsiResult(ScsiStatus.GOOD, null, null);

    public static ScsiResult good() {
        return GOOD;
    }

    public static ScsiResult good(ByteBuffer data) {
        return new ScsiResult(ScsiStatus.GOOD, null, data);
    }

    /** GOOD with {@code data} cut to {@code allocationLength} bytes. */
    public static ScsiResult good(byte[] data, long allocationLength) {
        return good(ByteBuffer.wrap(data, 0, (int) Math.min(data.length, Math.max(0, allocationLength))));
    }

    public static ScsiResult conditionMet() {
        return new ScsiResult(ScsiStatus.CONDITION_MET, null, null);
    }

    /** CHECK CONDITION, HARDWARE ERROR / INTERNAL TARGET FAILURE: a bug or an unexpected state, never the initiator's doing. */
    public static ScsiResult internalFailure() {
        return new ScsiResult(ScsiStatus.CHECK_CONDITION, Sense.internalTargetFailure(), null);
    }

    public static ScsiResult of(ScsiException e) {
        return new ScsiResult(e.status(), e.sense(), null);
    }

    public int dataLength() {
        return data == null ? 0 : data.remaining();
    }
}
