package io.xtarget.iscsi;

/** Login response status class and detail (RFC 7143 11.13.5). */
public record LoginStatus(int statusClass, int detail, String reason) {
    public static final LoginStatus SUCCESS = new LoginStatus(0x00, 0x00, "success");
    public static final LoginStatus AUTHENTICATION_FAILURE = new LoginStatus(0x02, 0x01, "authentication failure");
    public static final LoginStatus AUTHORIZATION_FAILURE = new LoginStatus(0x02, 0x02, "initiator not authorized");
    public static final LoginStatus NOT_FOUND = new LoginStatus(0x02, 0x03, "target not found");
    public static final LoginStatus UNSUPPORTED_VERSION = new LoginStatus(0x02, 0x05, "unsupported version");
    public static final LoginStatus TOO_MANY_CONNECTIONS = new LoginStatus(0x02, 0x06, "too many connections");
    public static final LoginStatus MISSING_PARAMETER = new LoginStatus(0x02, 0x07, "missing parameter");
    public static final LoginStatus SESSION_DOES_NOT_EXIST = new LoginStatus(0x02, 0x0A, "session does not exist");
    public static final LoginStatus INVALID_REQUEST = new LoginStatus(0x02, 0x0B, "invalid request during login");
    public static final LoginStatus INITIATOR_ERROR = new LoginStatus(0x02, 0x00, "initiator error");
    public static final LoginStatus TARGET_ERROR = new LoginStatus(0x03, 0x00, "target error");
    public static final LoginStatus SERVICE_UNAVAILABLE = new LoginStatus(0x03, 0x01, "service unavailable");
}
