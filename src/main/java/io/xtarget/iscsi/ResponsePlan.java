package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.ScsiResponsePdu;

/**
 * The arithmetic of a command's response, as pure functions (RFC 7143 11.4.5, 11.7): how many
 * Data-In bytes go out, the residual overflow or underflow against the initiator's expected
 * length, and how the data is cut into Data-In PDUs and sequences.
 */
final class ResponsePlan {
    private ResponsePlan() {}

    /**
     * A residual (RFC 7143 11.4.5.1): O bit with the bytes that did not fit, U bit with the bytes
     * the initiator expected but were not transferred, or neither.
     *
     * @param flags {@link ScsiResponsePdu#OVERFLOW}, {@link ScsiResponsePdu#UNDERFLOW} or 0
     * @param count the residual count, bytes
     */
    record Residual(int flags, long count) {
        static final Residual NONE = new Residual(0, 0);
    }

    /**
     * The residual of a transfer: the command wanted to move {@code wanted} bytes (data-in it
     * produced, or data-out it needed), the initiator expected {@code expected}.
     */
    static Residual residual(long expected, long wanted) {
        if (wanted > expected) {
            return new Residual(ScsiResponsePdu.OVERFLOW, wanted - expected);
        }
        if (wanted < expected) {
            return new Residual(ScsiResponsePdu.UNDERFLOW, expected - wanted);
        }
        return Residual.NONE;
    }

    /**
     * The residual reported for a finished command (SAM-5 5.4.2, FCP-4 9.4.2, RFC 7143
     * 11.4.5): for a read, the data-in the command produced against the expected length
     * (produced data nobody expected overflows); for a write, the data-out the command asked
     * for; a write that failed before using any data transferred none; a command moving no
     * data in either direction has none.
     *
     * @param readFlag the command PDU's R bit
     * @param writeFlag its W bit
     * @param expected its expected data transfer length
     * @param produced data-in bytes the command returned
     * @param requestedDataOut data-out bytes the command asked for, -1 when it used none
     */
    static Residual of(boolean readFlag, boolean writeFlag, long expected, long produced, long requestedDataOut) {
        if (produced > 0 || (readFlag && !writeFlag)) {
            return residual(readFlag ? expected : 0, produced);
        }
        if (writeFlag && requestedDataOut >= 0) {
            return residual(expected, requestedDataOut);
        }
        if (writeFlag) {
            return residual(expected, 0);
        }
        return Residual.NONE;
    }

    /** Data-In bytes actually sent: what was produced, cut to the expected length (0 unless the R bit is set). */
    static int dataInLength(boolean readFlag, long expected, int produced) {
        return readFlag ? (int) Math.min(produced, expected) : 0;
    }

    /** Receives one Data-In PDU of a plan. */
    @FunctionalInterface
    interface SegmentSink<E extends Exception> {
        /**
         * @param offset buffer offset of the PDU
         * @param length its data length
         * @param endOfSequence the F bit: last PDU of a sequence (a burst of at most MaxBurstLength)
         * @param last last PDU of the transfer (where a phase-collapsed status goes)
         */
        void segment(int offset, int length, boolean endOfSequence, boolean last) throws E;
    }

    /**
     * Cuts {@code length} bytes into Data-In PDUs of at most {@code maxSegment} bytes (the
     * initiator's MaxRecvDataSegmentLength) that never cross a MaxBurstLength boundary, so every
     * sequence is at most {@code maxBurst} bytes (RFC 7143 13.13, 11.7.1).
     */
    static <E extends Exception> void segments(int length, int maxSegment, int maxBurst, SegmentSink<E> sink)
            throws E {
        int offset = 0;
        while (offset < length) {
            int inBurst = maxBurst - (offset % maxBurst);
            int n = Math.min(Math.min(maxSegment, length - offset), inBurst);
            boolean last = offset + n == length;
            sink.segment(offset, n, last || n == inBurst, last);
            offset += n;
        }
    }
}
