package io.xtarget.scsi;

/**
 * The persistent reservation types (SPC-4 6.16.2, table 204) with their TYPE codes, and which
 * nexuses each lets through (SPC-4 5.12.2, table 64).
 */
public enum ReservationType {
    WRITE_EXCLUSIVE(0x1),
    EXCLUSIVE_ACCESS(0x3),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8);

    private final int code;

    ReservationType(int code) {
        this.code = code;
    }

    /** The TYPE field value (4 bits) of PERSISTENT RESERVE OUT/IN. */
    public int code() {
        return code;
    }

    /** The type with this TYPE code, or null for a reserved code. */
    public static ReservationType of(int code) {
        for (ReservationType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Every registrant holds the reservation (types 7h and 8h). */
    public boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** Registrants have access, one nexus holds the reservation (types 5h and 6h). */
    public boolean registrantsOnly() {
        return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    /** Reads by nexuses without access conflict too (the EXCLUSIVE ACCESS family). */
    public boolean exclusiveAccess() {
        return this == EXCLUSIVE_ACCESS || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }
}
