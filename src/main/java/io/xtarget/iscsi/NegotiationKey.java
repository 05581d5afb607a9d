package io.xtarget.iscsi;

import java.util.Set;

/**
 * One row of the key table {@link NegotiationKeys}: what RFC 7143 sections 12 (security keys) and
 * 13 (operational keys) say about one text key.
 *
 * @param name the key, case sensitive (RFC 7143 6.1)
 * @param sender who may send it (RFC 7143 13, "Senders")
 * @param use RFC 7143 13, "Use": IO, LO, ALL or FFPO
 * @param phases where the key may appear: the login stages it belongs to ("Any-Stage" keys may also
 *     appear in the security stage, RFC 7143 13) and/or full feature phase. Sending a key outside
 *     its login stage is a protocol error (RFC 7143 6.3). TargetName is listed with the initiator's
 *     use (IO); the target sends it in full feature phase only inside SendTargets answers.
 * @param values the admissible values (RFC 7143 6.1 and the key's section)
 * @param result how the acceptor computes the outcome (RFC 7143 6.2, 13 "Result function"),
 *     {@link ResultFunction#DECLARATIVE} for keys that take no answer
 * @param preferred this target's own choice, the second operand of {@code result}: its limit for
 *     MIN/MAX, its own Boolean for AND/OR, the values it supports in order of preference for LIST,
 *     the fixed answer for FIXED; null for declarative keys and for AuthMethod (chosen by
 *     {@link Login} from the target's CHAP configuration)
 * @param irrelevantInDiscovery RFC 7143 13 "Irrelevant when: SessionType=Discovery"
 * @param section the RFC 7143 section defining the key
 */
record NegotiationKey(String name, Sender sender, Use use, Set<Phase> phases, KeyValues values,
        ResultFunction result, String preferred, boolean irrelevantInDiscovery, String section) {

    NegotiationKey {
        phases = Set.copyOf(phases);
    }

    /** Declarative keys state a value and expect no answer; negotiated keys get one (RFC 7143 6.2). */
    enum Kind { DECLARATIVE, NEGOTIATED }

    /** RFC 7143 13, "Senders". */
    enum Sender { INITIATOR, TARGET, BOTH }

    /**
     * RFC 7143 13, "Use": IO (initialize only: login), LO (leading only: the login of the first
     * connection of a session), ALL (login and full feature phase), FFPO (full feature phase only).
     */
    enum Use { IO, LO, ALL, FFPO }

    /** Where a key is exchanged: the two login stages (RFC 7143 6.3) and full feature phase. */
    enum Phase { SECURITY, OPERATIONAL, FULL_FEATURE }

    Kind kind() {
        return result == ResultFunction.DECLARATIVE ? Kind.DECLARATIVE : Kind.NEGOTIATED;
    }

    boolean leadingOnly() {
        return use == Use.LO;
    }

    /** True for the keys of the security stage alone (AuthMethod, CHAP_*), answered by {@link Login}. */
    boolean securityOnly() {
        return phases.equals(Set.of(Phase.SECURITY));
    }
}
