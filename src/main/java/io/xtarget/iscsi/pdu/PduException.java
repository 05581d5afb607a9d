package io.xtarget.iscsi.pdu;

/**
 * A PDU that cannot be accepted. {@code rejectReason} is the Reject reason to answer with (RFC 7143
 * 11.17.1), or -1 when the connection must be dropped because framing is lost.
 */
public final class PduException extends Exception {
    private final int rejectReason;
    private final transient byte[] header;

    public PduException(String message, int rejectReason, byte[] header) {
        super(message, null, false, false);
        this.rejectReason = rejectReason;
        this.header = header;
    }

    public static PduException fatal(String message) {
        return new PduException(message, -1, null);
    }

    public int rejectReason() {
        return rejectReason;
    }

    public boolean fatal() {
        return rejectReason < 0;
    }

    /** The offending BHS (to echo in a Reject), or null. */
    public byte[] header() {
        return header;
    }
}
