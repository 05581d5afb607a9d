package io.xtarget.scsi;

/**
 * The asymmetric access states xtarget reports for a target port group (SPC-4 5.15.2.4, REPORT
 * TARGET PORT GROUPS 6.36, SET TARGET PORT GROUPS 6.37), with their 4-bit codes. A gateway that
 * owns an LU's image is active/optimized for it, the other gateways active/non-optimized; the
 * standby, unavailable and transitioning states are never reported.
 */
public enum AccessState {
    ACTIVE_OPTIMIZED(0x0),
    ACTIVE_NON_OPTIMIZED(0x1);

    /** ASYMMETRIC ACCESS STATE as RTPG and STPG encode it. */
    public final int code;

    AccessState(int code) {
        this.code = code;
    }

    /** The state a code names, or null for a code xtarget does not support. */
    public static AccessState of(int code) {
        for (AccessState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}
