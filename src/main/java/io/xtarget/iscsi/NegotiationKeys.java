package io.xtarget.iscsi;

import io.xtarget.iscsi.NegotiationKey.Phase;
import io.xtarget.iscsi.NegotiationKey.Sender;
import io.xtarget.iscsi.NegotiationKey.Use;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The text keys of RFC 7143 (section 12: security, section 13: operational), one
 * {@link NegotiationKey} row each: kind, sender, use and phases, admissible values, result function
 * and this target's own choice. The single source of truth for the login ({@link Login},
 * {@link Negotiation}) and for Text Requests in full feature phase ({@link TextNegotiation}); both
 * judge every received key with {@link #classify} and differ only in how they answer a verdict.
 */
final class NegotiationKeys {
    /** MaxRecvDataSegmentLength this target declares (RFC 7143 13.12). */
    static final int TARGET_MAX_RECV_DATA_SEGMENT = 262144;
    /** This target's limit for MaxBurstLength and FirstBurstLength (RFC 7143 13.13, 13.14). */
    static final int TARGET_MAX_BURST = 16776192;
    /** This target's limit for MaxOutstandingR2T (RFC 7143 13.17). */
    static final int TARGET_MAX_OUTSTANDING_R2T = 16;
    /**
     * This target's limit for FirstBurstLength: the unsolicited data (immediate and the first
     * burst) it must accept unasked for each command, so it bounds what a session can make the
     * server hold without an R2T (RFC 7143 13.14).
     */
    static final int TARGET_MAX_FIRST_BURST = 262144;
    /** 2^24 - 1, the upper bound of the segment and burst lengths (RFC 7143 13.12-13.14). */
    private static final int MAX_LENGTH = 16777215;

    /** The reserved constants an initiator may never propose or declare (RFC 7143 6.2). */
    private static final Set<String> RESERVED = Set.of("Reject", "Irrelevant", "NotUnderstood");

    /** How a received key stands against the table; each phase maps verdicts to answers. */
    enum Verdict {
        /** Acceptable: answer it by its result function (or take the declaration). */
        OK,
        /** Not a key of RFC 7143 (including X- and X# extension keys we do not implement). */
        UNKNOWN,
        /** A key only the target may send (RFC 7143 13, "Senders"). */
        WRONG_SENDER,
        /** "Reject", "Irrelevant" or "NotUnderstood" as the value: a protocol error (RFC 7143 6.2). */
        RESERVED_VALUE,
        /** Not allowed in this login stage or phase (RFC 7143 6.3, 13 "Use"). */
        WRONG_PHASE,
        /** Moot here: a leading-only key on a non-leading connection, or a key irrelevant for discovery. */
        IRRELEVANT,
        /** Malformed or out of range (RFC 7143 6.1, 6.2.2). */
        INVALID_VALUE
    }

    private static final Map<String, NegotiationKey> TABLE = index(List.of(
            // RFC 7143 12: the security stage. AuthMethod and CHAP_* are answered by Login/ChapAuthenticator.
            security("AuthMethod", new KeyValues.ListOf(), ResultFunction.LIST, null, "12.1"),
            security("CHAP_A", new KeyValues.Any(), ResultFunction.LIST, "5", "12.1.3"),
            security("CHAP_I", new KeyValues.Any(), ResultFunction.DECLARATIVE, null, "12.1.3"),
            security("CHAP_C", new KeyValues.Any(), ResultFunction.DECLARATIVE, null, "12.1.3"),
            security("CHAP_N", new KeyValues.Any(), ResultFunction.DECLARATIVE, null, "12.1.3"),
            security("CHAP_R", new KeyValues.Any(), ResultFunction.DECLARATIVE, null, "12.1.3"),
            // RFC 7143 13: declarative "Any-Stage" keys, allowed in both login stages.
            anyStage("InitiatorName", Sender.INITIATOR, Use.IO, new KeyValues.Text(KeyValues.ISCSI_NAME), "13.5"),
            anyStage("TargetName", Sender.BOTH, Use.IO, new KeyValues.Text(KeyValues.ISCSI_NAME), "13.4"),
            anyStage("SessionType", Sender.INITIATOR, Use.LO, new KeyValues.OneOf(Set.of("Discovery", "Normal")),
                    "13.21"),
            anyStage("InitiatorAlias", Sender.INITIATOR, Use.ALL, text(), "13.7"),
            anyStage("TargetAlias", Sender.TARGET, Use.ALL, text(), "13.6"),
            anyStage("TargetAddress", Sender.TARGET, Use.ALL, text(), "13.8"),
            anyStage("TargetPortalGroupTag", Sender.TARGET, Use.IO, new KeyValues.Numeric(0, 65535), "13.9"),
            anyStage("X#NodeArchitecture", Sender.BOTH, Use.LO, text(), "13.26"),
            // RFC 7143 13: the operational stage.
            operational("HeaderDigest", Use.IO, new KeyValues.ListOf(), ResultFunction.LIST, "CRC32C,None", false,
                    "13.1"),
            operational("DataDigest", Use.IO, new KeyValues.ListOf(), ResultFunction.LIST, "CRC32C,None", false,
                    "13.1"),
            operational("MaxConnections", Use.LO, numeric(1, 65535), ResultFunction.MIN, "1", true, "13.2"),
            operational("InitialR2T", Use.LO, bool(), ResultFunction.OR, "No", true, "13.10"),
            operational("ImmediateData", Use.LO, bool(), ResultFunction.AND, "Yes", true, "13.11"),
            operational("MaxRecvDataSegmentLength", Use.ALL, numeric(512, MAX_LENGTH), ResultFunction.DECLARATIVE,
                    null, false, "13.12"),
            operational("MaxBurstLength", Use.LO, numeric(512, MAX_LENGTH), ResultFunction.MIN,
                    Integer.toString(TARGET_MAX_BURST), true, "13.13"),
            operational("FirstBurstLength", Use.LO, numeric(512, MAX_LENGTH), ResultFunction.MIN,
                    Integer.toString(TARGET_MAX_FIRST_BURST), true, "13.14"),
            operational("DefaultTime2Wait", Use.LO, numeric(0, 3600), ResultFunction.MAX, "2", false, "13.15"),
            operational("DefaultTime2Retain", Use.LO, numeric(0, 3600), ResultFunction.MIN, "20", false, "13.16"),
            operational("MaxOutstandingR2T", Use.LO, numeric(1, 65535), ResultFunction.MIN,
                    Integer.toString(TARGET_MAX_OUTSTANDING_R2T), true, "13.17"),
            // The target wants data in order (its Data-Out rules accept one growing prefix), and
            // with the OR result function its "Yes" decides (RFC 7143 13.18, 13.19).
            operational("DataPDUInOrder", Use.LO, bool(), ResultFunction.OR, "Yes", true, "13.18"),
            operational("DataSequenceInOrder", Use.LO, bool(), ResultFunction.OR, "Yes", true, "13.19"),
            operational("ErrorRecoveryLevel", Use.LO, numeric(0, 2), ResultFunction.MIN, "0", false, "13.20"),
            operational("TaskReporting", Use.LO, new KeyValues.ListOf(), ResultFunction.LIST, "RFC3720", true,
                    "13.23"),
            operational("iSCSIProtocolLevel", Use.LO, numeric(0, 31), ResultFunction.MIN, "1", true, "13.24"),
            // RFC 7143 13.25: obsoleted marker keys. IFMarker/OFMarker: "No" (the MAY of 13.25, what
            // initiators that still send IFMarker=No expect); IFMarkInt/OFMarkInt: MUST be "Reject".
            operational("IFMarker", Use.IO, bool(), ResultFunction.FIXED, "No", false, "13.25"),
            operational("OFMarker", Use.IO, bool(), ResultFunction.FIXED, "No", false, "13.25"),
            operational("IFMarkInt", Use.IO, text(), ResultFunction.FIXED, ResultFunction.REJECT, false, "13.25"),
            operational("OFMarkInt", Use.IO, text(), ResultFunction.FIXED, ResultFunction.REJECT, false, "13.25"),
            // RFC 7143 13.3: full feature phase only; answered by Discovery.sendTargets.
            new NegotiationKey("SendTargets", Sender.INITIATOR, Use.FFPO, EnumSet.of(Phase.FULL_FEATURE), text(),
                    ResultFunction.DECLARATIVE, null, false, "13.3")));

    private NegotiationKeys() {}

    /** The row for {@code name}, or null when RFC 7143 does not define it (or we do not implement it). */
    static NegotiationKey lookup(String name) {
        return TABLE.get(name);
    }

    static Collection<NegotiationKey> all() {
        return TABLE.values();
    }

    static boolean isReserved(String value) {
        return RESERVED.contains(value);
    }

    /**
     * Judges one key an initiator sent.
     *
     * @param phase the login stage of the request, or full feature phase for a Text Request
     * @param leading whether this is the leading connection's login (RFC 7143 13, "LO")
     * @param discovery whether the session is a discovery session (RFC 7143 13, "Irrelevant when")
     */
    static Verdict classify(String name, String value, Phase phase, boolean leading, boolean discovery) {
        NegotiationKey key = TABLE.get(name);
        if (key == null) {
            return Verdict.UNKNOWN;
        }
        if (key.sender() == Sender.TARGET) {
            return Verdict.WRONG_SENDER;
        }
        if (isReserved(value)) {
            return Verdict.RESERVED_VALUE;
        }
        if (!key.phases().contains(phase)) {
            return Verdict.WRONG_PHASE;
        }
        if (!leading && key.leadingOnly() || discovery && key.irrelevantInDiscovery()) {
            return Verdict.IRRELEVANT;
        }
        return key.values().admits(value) ? Verdict.OK : Verdict.INVALID_VALUE;
    }

    private static Map<String, NegotiationKey> index(List<NegotiationKey> keys) {
        Map<String, NegotiationKey> m = new LinkedHashMap<>();
        for (NegotiationKey k : keys) {
            if (m.put(k.name(), k) != null) {
                throw new IllegalStateException("key listed twice: " + k.name());
            }
        }
        return m;
    }

    private static NegotiationKey security(String name, KeyValues values, ResultFunction result, String preferred,
            String section) {
        return new NegotiationKey(name, Sender.BOTH, Use.IO, EnumSet.of(Phase.SECURITY), values, result, preferred,
                false, section);
    }

    private static NegotiationKey anyStage(String name, Sender sender, Use use, KeyValues values, String section) {
        Set<Phase> phases = use == Use.ALL ? EnumSet.allOf(Phase.class) : EnumSet.of(Phase.SECURITY,
                Phase.OPERATIONAL);
        return new NegotiationKey(name, sender, use, phases, values, ResultFunction.DECLARATIVE, null, false,
                section);
    }

    private static NegotiationKey operational(String name, Use use, KeyValues values, ResultFunction result,
            String preferred, boolean irrelevantInDiscovery, String section) {
        Set<Phase> phases = use == Use.ALL ? EnumSet.of(Phase.OPERATIONAL, Phase.FULL_FEATURE)
                : EnumSet.of(Phase.OPERATIONAL);
        return new NegotiationKey(name, Sender.BOTH, use, phases, values, result, preferred, irrelevantInDiscovery,
                section);
    }

    private static KeyValues numeric(int min, int max) {
        return new KeyValues.Numeric(min, max);
    }

    private static KeyValues bool() {
        return new KeyValues.Bool();
    }

    private static KeyValues text() {
        return new KeyValues.Text(KeyValues.SIMPLE_VALUE);
    }
}
