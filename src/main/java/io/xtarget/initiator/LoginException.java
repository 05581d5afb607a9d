package io.xtarget.initiator;

import java.io.IOException;

/** The target refused the login (RFC 7143 11.13.5): Status-Class and Status-Detail say why. */
public class LoginException extends IOException {
    private final int statusClass;
    private final int statusDetail;

    public LoginException(int statusClass, int statusDetail, String context) {
        super(context + ": login refused, status class 0x" + hex(statusClass) + " detail 0x" + hex(statusDetail)
                + " (" + describe(statusClass, statusDetail) + ")");
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    /** A login that failed on our side (bad negotiation answer) rather than by a status code. */
    public LoginException(String message) {
        super(message);
        this.statusClass = -1;
        this.statusDetail = -1;
    }

    public int statusClass() {
        return statusClass;
    }

    public int statusDetail() {
        return statusDetail;
    }

    private static String hex(int v) {
        return String.format("%02x", v);
    }

    /** The RFC 7143 11.13.5 table, in short words. */
    public static String describe(int statusClass, int statusDetail) {
        return switch (statusClass) {
            case 0 -> "success";
            case 1 -> switch (statusDetail) {
                case 1 -> "target moved temporarily";
                case 2 -> "target moved permanently";
                default -> "redirection";
            };
            case 2 -> switch (statusDetail) {
                case 0 -> "initiator error";
                case 1 -> "authentication failure";
                case 2 -> "authorization failure";
                case 3 -> "target not found";
                case 4 -> "target removed";
                case 5 -> "unsupported version";
                case 6 -> "too many connections";
                case 7 -> "missing parameter";
                case 8 -> "cannot include in session";
                case 9 -> "session type not supported";
                case 10 -> "session does not exist";
                case 11 -> "invalid request during login";
                default -> "initiator error";
            };
            case 3 -> switch (statusDetail) {
                case 0 -> "target error";
                case 1 -> "service unavailable";
                case 2 -> "out of resources";
                default -> "target error";
            };
            default -> "unknown status class";
        };
    }
}
