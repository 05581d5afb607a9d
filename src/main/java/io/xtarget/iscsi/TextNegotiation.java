package io.xtarget.iscsi;

import io.xtarget.iscsi.NegotiationKey.Phase;
import java.util.Map;

/**
 * The full feature phase side of the key table ({@link NegotiationKeys}): answers the keys of a
 * Text Request (RFC 7143 6.2, 11.10) and yields the parameters that hold afterwards. SendTargets
 * is left to {@link Discovery#sendTargets}; the caller appends its output to {@link Result#answer}.
 * How each verdict is answered in full feature phase:
 *
 * <ul>
 *   <li>malformed text, a key twice in one request, or a reserved constant ("Reject",
 *       "Irrelevant", "NotUnderstood") as a value: a protocol error (RFC 7143 6.1, 6.2); the
 *       caller answers with a Reject PDU, reason 0x04 protocol error (RFC 7143 11.17.1), which
 *       ends the negotiation with nothing changed (RFC 7143 7.11);
 *   <li>unknown key (X- and X# extensions included) or a key only targets send: "NotUnderstood"
 *       (RFC 7143 6.2);
 *   <li>a key that is not allowed in full feature phase (every "IO" and "LO" key, e.g.
 *       HeaderDigest, MaxBurstLength, InitialR2T, SessionType, InitiatorName; the security keys,
 *       RFC 7143 6.3: security is negotiated in the login only): "Reject", the key keeps its value
 *       (RFC 7143 6.2, 13 "Use");
 *   <li>an invalid value: "Reject" (RFC 7143 6.2.2);
 *   <li>a declarative key (MaxRecvDataSegmentLength, InitiatorAlias): no answer (RFC 7143 6.2);
 *       the initiator's MaxRecvDataSegmentLength bounds every PDU the target sends from now on
 *       (RFC 7143 13.12). The target does not repeat its own declaration: it has not changed.
 * </ul>
 *
 * <p>Any "Reject" makes the negotiation fail, so none of its values take effect (RFC 7143 7.11):
 * {@link Result#updated} is then the current parameters. Each request is answered on its own; a
 * negotiation spread over several Text Requests (F bit 0) is not tracked across them.
 */
final class TextNegotiation {
    private TextNegotiation() {}

    /**
     * @param answer the keys to send back in the Text Response (without any SendTargets output)
     * @param updated the parameters from now on
     * @param protocolError true when the request must be answered with a Reject PDU instead
     */
    record Result(TextParameters answer, SessionParams updated, boolean protocolError) {}

    static Result answer(TextParameters request, SessionParams current) {
        if (request.isMalformed() || !request.duplicates().isEmpty()) {
            return protocolError(current);
        }
        TextParameters answer = new TextParameters();
        SessionParams updated = current;
        boolean failed = false;
        for (Map.Entry<String, String> e : request.asMap().entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            switch (NegotiationKeys.classify(name, value, Phase.FULL_FEATURE, true, false)) {
                case UNKNOWN, WRONG_SENDER -> answer.put(name, "NotUnderstood");
                case RESERVED_VALUE -> {
                    return protocolError(current);
                }
                case WRONG_PHASE, INVALID_VALUE -> {
                    answer.put(name, ResultFunction.REJECT);
                    failed = true;
                }
                case IRRELEVANT -> answer.put(name, "Irrelevant");
                case OK -> {
                    NegotiationKey key = NegotiationKeys.lookup(name);
                    String outcome = key.result().select(value, key.preferred());
                    if (outcome == null) {
                        updated = updated.with(name, value);
                    } else {
                        answer.put(name, outcome);
                        failed |= outcome.equals(ResultFunction.REJECT);
                        updated = updated.with(name, outcome);
                    }
                }
            }
        }
        return new Result(answer, failed ? current : updated, false);
    }

    /** The body of a Text Response: the SendTargets output (if any) followed by the answered keys. */
    static byte[] body(byte[] sendTargets, TextParameters answer) {
        byte[] keys = answer.encode();
        if (sendTargets == null || sendTargets.length == 0) {
            return keys;
        }
        byte[] out = new byte[sendTargets.length + keys.length];
        System.arraycopy(sendTargets, 0, out, 0, sendTargets.length);
        System.arraycopy(keys, 0, out, sendTargets.length, keys.length);
        return out;
    }

    private static Result protocolError(SessionParams current) {
        return new Result(new TextParameters(), current, true);
    }
}
