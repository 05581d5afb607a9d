package io.xtarget.scsi;

/**
 * How a command touches the medium: decides write protection and reservation conflicts in the
 * core, so command handlers never repeat those checks.
 */
public enum MediumAccess {
    /** Does not read or write user data (INQUIRY, TEST UNIT READY, REPORT LUNS...). */
    NONE,
    /** Reads user data or device state a reservation protects. */
    READ,
    /** Writes user data. */
    WRITE
}
