package io.xtarget.cli;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import java.util.Map;

/** Sense data in words for the user (SPC-4 4.5.6 sense keys, Annex D codes a copy can meet). */
final class SenseText {
    private SenseText() {}

    private static final String[] KEYS = {"NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR",
        "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT", "BLANK CHECK", "VENDOR SPECIFIC",
        "COPY ABORTED", "ABORTED COMMAND", "RESERVED", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED"};

    private static final Map<Integer, String> CODES = Map.ofEntries(
            Map.entry(0x0016, "OPERATION IN PROGRESS"),
            Map.entry(0x0C00, "WRITE ERROR"),
            Map.entry(0x0D00, "ERROR DETECTED BY THIRD PARTY TEMPORARY INITIATOR"),
            Map.entry(0x0D01, "THIRD PARTY DEVICE FAILURE"),
            Map.entry(0x0D02, "COPY TARGET DEVICE NOT REACHABLE"),
            Map.entry(0x0D03, "INCORRECT COPY TARGET DEVICE TYPE"),
            Map.entry(0x0D04, "COPY TARGET DEVICE DATA UNDERRUN"),
            Map.entry(0x0D05, "COPY TARGET DEVICE DATA OVERRUN"),
            Map.entry(0x1100, "UNRECOVERED READ ERROR"),
            Map.entry(0x1A00, "PARAMETER LIST LENGTH ERROR"),
            Map.entry(0x2000, "INVALID COMMAND OPERATION CODE"),
            Map.entry(0x2100, "LOGICAL BLOCK ADDRESS OUT OF RANGE"),
            Map.entry(0x2300, "INVALID TOKEN OPERATION, CAUSE NOT REPORTABLE"),
            Map.entry(0x2301, "INVALID TOKEN OPERATION, UNSUPPORTED TOKEN TYPE"),
            Map.entry(0x2302, "INVALID TOKEN OPERATION, REMOTE TOKEN USAGE NOT SUPPORTED"),
            Map.entry(0x2303, "INVALID TOKEN OPERATION, REMOTE ROD TOKEN CREATION NOT SUPPORTED"),
            Map.entry(0x2304, "INVALID TOKEN OPERATION, TOKEN UNKNOWN"),
            Map.entry(0x2305, "INVALID TOKEN OPERATION, TOKEN CORRUPT"),
            Map.entry(0x2306, "INVALID TOKEN OPERATION, TOKEN REVOKED"),
            Map.entry(0x2307, "INVALID TOKEN OPERATION, TOKEN EXPIRED"),
            Map.entry(0x2308, "INVALID TOKEN OPERATION, TOKEN CANCELLED"),
            Map.entry(0x2309, "INVALID TOKEN OPERATION, TOKEN DELETED"),
            Map.entry(0x230A, "INVALID TOKEN OPERATION, INVALID TOKEN LENGTH"),
            Map.entry(0x2400, "INVALID FIELD IN CDB"),
            Map.entry(0x2500, "LOGICAL UNIT NOT SUPPORTED"),
            Map.entry(0x2600, "INVALID FIELD IN PARAMETER LIST"),
            Map.entry(0x2606, "TOO MANY TARGET DESCRIPTORS"),
            Map.entry(0x2607, "UNSUPPORTED TARGET DESCRIPTOR TYPE CODE"),
            Map.entry(0x2608, "TOO MANY SEGMENT DESCRIPTORS"),
            Map.entry(0x2609, "UNSUPPORTED SEGMENT DESCRIPTOR TYPE CODE"),
            Map.entry(0x260A, "UNEXPECTED INEXACT SEGMENT"),
            Map.entry(0x260B, "INLINE DATA LENGTH EXCEEDED"),
            Map.entry(0x260C, "INVALID OPERATION FOR COPY SOURCE OR DESTINATION"),
            Map.entry(0x260D, "COPY SEGMENT GRANULARITY VIOLATION"),
            Map.entry(0x2700, "WRITE PROTECTED"),
            Map.entry(0x2702, "LOGICAL UNIT SOFTWARE WRITE PROTECTED"),
            Map.entry(0x2900, "POWER ON, RESET, OR BUS DEVICE RESET OCCURRED"),
            Map.entry(0x2A03, "RESERVATIONS PREEMPTED"),
            Map.entry(0x3F0E, "REPORTED LUNS DATA HAS CHANGED"),
            Map.entry(0x4400, "INTERNAL TARGET FAILURE"),
            Map.entry(0x5503, "INSUFFICIENT RESOURCES"));

    /** "COPY ABORTED: COPY TARGET DEVICE NOT REACHABLE (asc 0x0D ascq 0x02) in segment 2". */
    static String describe(SenseData s) {
        return describe(s, true);
    }

    /**
     * Sense data of an EXTENDED COPY names the failed segment in COMMAND-SPECIFIC INFORMATION; that
     * of the token commands does not, and INFORMATION of COPY ABORTED counts the blocks written.
     */
    private static String describe(SenseData s, boolean segments) {
        String code = CODES.get(s.asc() << 8 | s.ascq());
        StringBuilder b = new StringBuilder(KEYS[s.senseKey() & 0x0F]).append(": ")
                .append(code == null ? "additional sense" : code)
                .append(String.format(" (asc 0x%02X ascq 0x%02X)", s.asc(), s.ascq()));
        if (s.senseKey() == 0x0A && segments) { // SPC-4 6.4.3.x: COMMAND-SPECIFIC INFORMATION is the segment number
            b.append(" in segment ").append(s.commandSpecific());
        } else if (s.senseKey() == 0x0A && s.informationValid()) {
            b.append(" after ").append(s.information()).append(" blocks");
        } else if (s.senseKeySpecific() >= 0 && (s.asc() == 0x24 || s.asc() == 0x26)) {
            b.append(String.format(" at byte %d of the %s", s.senseKeySpecific() & 0xFFFF,
                    (s.senseKeySpecific() & 0x400000) != 0 ? "CDB" : "parameter list"));
        }
        return b.toString();
    }

    /** The outcome of a failed command in words. */
    static String describe(CommandResult r) {
        return describe(r, true);
    }

    /** The outcome of a failed POPULATE TOKEN, WRITE USING TOKEN or RECEIVE ROD TOKEN INFORMATION. */
    static String describeToken(CommandResult r) {
        return describe(r, false);
    }

    private static String describe(CommandResult r, boolean segments) {
        return switch (r.status()) {
            case CommandResult.CHECK_CONDITION -> r.senseData().map(s -> describe(s, segments))
                    .orElse("CHECK CONDITION");
            case CommandResult.RESERVATION_CONFLICT -> "RESERVATION CONFLICT (another initiator holds a reservation)";
            case CommandResult.BUSY -> "BUSY";
            case CommandResult.TASK_SET_FULL -> "TASK SET FULL";
            case CommandResult.TASK_ABORTED -> "TASK ABORTED";
            default -> String.format("status 0x%02X", r.status());
        };
    }
}
