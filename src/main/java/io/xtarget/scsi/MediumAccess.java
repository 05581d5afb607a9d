package io.xtarget.scsi;

/**
 * How a command touches the medium: decides write protection and reservation conflicts in the
 * core, so command handlers never repeat those checks. The values follow the rows of the
 * reservation conflict tables (SPC-2 5.5.1, SPC-4 5.12.2 table 64, SBC-3 4.17 table 13).
 */
public enum MediumAccess {
    /**
     * Never conflicts and is never write protected (INQUIRY, REPORT LUNS, REQUEST SENSE, and
     * commands that check reservations themselves: RESERVE/RELEASE, PERSISTENT RESERVE IN/OUT).
     */
    NONE,
    /**
     * Reports unit status without reading user data (TEST UNIT READY, READ CAPACITY, REPORT
     * TARGET PORT GROUPS): allowed under every persistent reservation type, but conflicts with
     * an SPC-2 reservation held by another I_T nexus.
     */
    STATUS,
    /**
     * Reads or changes device parameters (MODE SENSE/SELECT, REPORT SUPPORTED OPERATION CODES):
     * conflicts like a write for a non-holder under every persistent reservation type (SPC-4
     * table 64), but is not subject to write protection.
     */
    CONTROL,
    /** Reads user data or device state a reservation protects. */
    READ,
    /** Writes user data. */
    WRITE
}
