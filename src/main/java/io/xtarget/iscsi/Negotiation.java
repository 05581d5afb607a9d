package io.xtarget.iscsi;

import io.xtarget.iscsi.NegotiationKey.Kind;
import io.xtarget.iscsi.NegotiationKey.Phase;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The login's side of the key table ({@link NegotiationKeys}): answers every key of the login
 * requests of one connection, in either stage (RFC 7143 6.3), except AuthMethod and CHAP_* which
 * {@link Login} answers, and accumulates the agreed values. How each verdict is answered during
 * login:
 *
 * <ul>
 *   <li>unknown key, or a key only targets send: "NotUnderstood" (RFC 7143 6.2: every key must be
 *       answered, and only keys used as specified must not get NotUnderstood);
 *   <li>a key outside its stage (e.g. an operational key in the security stage, SendTargets), or a
 *       reserved constant as the value: a protocol error (RFC 7143 6.3, 6.2), the login fails with
 *       0200 initiator error (RFC 7143 11.13.5);
 *   <li>a key sent again during the login: login reject, initiator error (RFC 7143 6.3). Tolerated
 *       only when a declarative key comes again with the same value: libiscsi repeats
 *       InitiatorName, TargetName, SessionType and InitiatorAlias in its operational stage after a
 *       CHAP security stage;
 *   <li>leading-only key on a non-leading connection, or a key irrelevant in a discovery session:
 *       "Irrelevant" (RFC 7143 6.2, 13 "Use: LO" and "Irrelevant when");
 *   <li>invalid value of a negotiated key: "Reject", the key keeps its default (RFC 7143 6.2.2);
 *       of a declarative key: the declared value is not acceptable, a negotiation failure, so the
 *       login fails with 0200 (RFC 7143 7.11);
 *   <li>otherwise the outcome of the key's result function; FirstBurstLength is answered
 *       "Irrelevant" when InitialR2T=Yes and ImmediateData=No, and never above MaxBurstLength
 *       (RFC 7143 13.14).
 * </ul>
 */
final class Negotiation {
    private final boolean leading;
    private final boolean discovery;
    /** Every key the initiator sent in this login, with its value, to catch repeats. */
    private final Map<String, String> received = new HashMap<>();
    /** Agreed (or declared) values of the keys that set a parameter. */
    private final Map<String, String> agreed = new LinkedHashMap<>();
    private boolean declaredMaxRecv;

    /**
     * @param leading whether this login creates the session (TSIH 0), RFC 7143 13 "LO"
     * @param discovery whether the session is a discovery session
     */
    Negotiation(boolean leading, boolean discovery) {
        this.leading = leading;
        this.discovery = discovery;
    }

    /**
     * Adds the answer to every key of one login request to {@code response}.
     *
     * @param stage the request's stage: {@link Phase#SECURITY} or {@link Phase#OPERATIONAL}
     * @return null, or why the login fails with status 0200 (initiator error)
     */
    String answer(TextParameters request, Phase stage, TextParameters response) {
        for (Map.Entry<String, String> e : request.asMap().entrySet()) {
            String name = e.getKey();
            String value = e.getValue();
            NegotiationKey key = NegotiationKeys.lookup(name);
            String before = received.putIfAbsent(name, value);
            if (before != null) {
                if (key != null && key.kind() == Kind.DECLARATIVE && before.equals(value)) {
                    continue;
                }
                return "key " + name + " sent twice during the login";
            }
            switch (NegotiationKeys.classify(name, value, stage, leading, discovery)) {
                case UNKNOWN, WRONG_SENDER -> response.put(name, "NotUnderstood");
                case RESERVED_VALUE -> {
                    return "reserved value " + name + "=" + value;
                }
                case WRONG_PHASE -> {
                    return "key " + name + " not allowed in the " + stage.name().toLowerCase(Locale.ROOT) + " stage";
                }
                case IRRELEVANT -> response.put(name, "Irrelevant");
                case INVALID_VALUE -> {
                    if (key.kind() == Kind.DECLARATIVE) {
                        return "invalid value " + name + "=" + abbreviate(value);
                    }
                    response.put(name, ResultFunction.REJECT);
                }
                case OK -> accept(key, value, response);
            }
        }
        checkFirstBurst(response);
        if (stage == Phase.OPERATIONAL) {
            declareMaxRecv(response);
        }
        return null;
    }

    private void accept(NegotiationKey key, String value, TextParameters response) {
        if (key.securityOnly()) {
            return; // AuthMethod, CHAP_*: answered by Login
        }
        String outcome = key.result().select(value, key.preferred());
        if (outcome == null) {
            agreed.put(key.name(), value);
            return;
        }
        response.put(key.name(), outcome);
        if (!outcome.equals(ResultFunction.REJECT)) {
            agreed.put(key.name(), outcome);
        }
    }

    /** RFC 7143 13.14: irrelevant when InitialR2T=Yes and ImmediateData=No; never above MaxBurstLength. */
    private void checkFirstBurst(TextParameters response) {
        String first = agreed.get("FirstBurstLength");
        if (first == null || !first.equals(response.get("FirstBurstLength"))) {
            return;
        }
        SessionParams now = result();
        if (now.initialR2T() && !now.immediateData()) {
            agreed.remove("FirstBurstLength");
            response.put("FirstBurstLength", "Irrelevant");
        } else if (now.firstBurstLength() < Integer.parseInt(first)) {
            agreed.put("FirstBurstLength", Integer.toString(now.firstBurstLength()));
            response.put("FirstBurstLength", Integer.toString(now.firstBurstLength()));
        }
    }

    /** The target's own MaxRecvDataSegmentLength declaration (RFC 7143 13.12), once per login. */
    private void declareMaxRecv(TextParameters response) {
        if (!declaredMaxRecv) {
            response.put("MaxRecvDataSegmentLength", Integer.toString(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT));
            declaredMaxRecv = true;
        }
    }

    /**
     * The parameters agreed so far: RFC 7143 defaults, then every agreed value. Until the target
     * declared its MaxRecvDataSegmentLength the initiator may send it only the default 8192.
     */
    SessionParams result() {
        SessionParams p = SessionParams.defaults(declaredMaxRecv ? NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT
                : 8192);
        for (Map.Entry<String, String> e : agreed.entrySet()) {
            p = p.with(e.getKey(), e.getValue());
        }
        // RFC 7143 13.14: FirstBurstLength must not exceed MaxBurstLength.
        return p.firstBurstLength() > p.maxBurstLength()
                ? p.with("FirstBurstLength", Integer.toString(p.maxBurstLength())) : p;
    }

    private static String abbreviate(String v) {
        return v.length() <= 64 ? v : v.substring(0, 64) + "...";
    }
}
