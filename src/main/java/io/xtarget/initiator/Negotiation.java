package io.xtarget.initiator;

import io.xtarget.initiator.TextKeys.Pair;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Initiator side of login key negotiation (RFC 7143 6.2, 13): builds our offers, checks the
 * target's answers against the result functions (minimum, maximum, OR, AND, list choice), answers
 * keys the target offers on its own, and yields {@link NegotiatedParameters}.
 */
final class Negotiation {
    /** RFC 7143 13 defaults, used for keys that end up not negotiated. */
    static final int DEFAULT_SEGMENT = 8192;

    private final InitiatorOptions o;
    private final boolean discovery;
    /** Keys we offered and await an answer for. */
    private final Map<String, String> offered = new HashMap<>();

    private Digest headerDigest = Digest.NONE;
    private Digest dataDigest = Digest.NONE;
    private int targetSegment = DEFAULT_SEGMENT;
    private int maxBurst = 262144;
    private int firstBurst = 65536;
    private boolean immediateData = true;
    private boolean initialR2T = true;
    private int maxOutstandingR2T = 1;
    private boolean dataPduInOrder = true;
    private boolean dataSequenceInOrder = true;
    private int errorRecoveryLevel = 0;
    private int maxConnections = 1;
    private int time2Wait = 2;
    private int time2Retain = 20;
    private int portalGroupTag = -1;
    private String targetAlias = null;
    private boolean chapChosen;
    private boolean authMethodAnswered;

    Negotiation(InitiatorOptions options, boolean discovery) {
        this.o = options;
        this.discovery = discovery;
    }

    /** Leading keys of the first login request (RFC 7143 13.5-13.6: names and session type). */
    List<Pair> identity(String targetName) {
        List<Pair> keys = new ArrayList<>();
        keys.add(new Pair("InitiatorName", o.initiatorName()));
        keys.add(new Pair("SessionType", discovery ? "Discovery" : "Normal"));
        if (!discovery) {
            keys.add(new Pair("TargetName", targetName));
        }
        return keys;
    }

    /**
     * The security stage offer: None, or CHAP when we have secrets. A normal session with secrets
     * offers CHAP alone, so a target cannot skip authentication (mutual CHAP protects us too);
     * a discovery session with one-way secrets also offers None, as many targets do not
     * authenticate discovery; one with mutual secrets offers CHAP alone, since a target that
     * chose None would not have proved who it is.
     */
    List<Pair> securityOffer() {
        String methods = o.chap() == null ? "None" : discovery && !o.chap().mutual() ? "CHAP,None" : "CHAP";
        return offer(List.of(new Pair("AuthMethod", methods)));
    }

    /** True once the target answered our AuthMethod offer with CHAP. */
    boolean chapChosen() {
        return chapChosen;
    }

    /** True once the target answered our AuthMethod offer (with anything we offered). */
    boolean authMethodAnswered() {
        return authMethodAnswered;
    }

    /** The operational stage offer. Session-wide data keys are irrelevant for discovery (RFC 7143 13). */
    List<Pair> operationalOffer() {
        List<Pair> keys = new ArrayList<>();
        keys.add(new Pair("HeaderDigest", digestList(o.headerDigests())));
        keys.add(new Pair("DataDigest", digestList(o.dataDigests())));
        keys.add(new Pair("ErrorRecoveryLevel", "0"));
        keys.add(new Pair("DefaultTime2Wait", Integer.toString(o.defaultTime2Wait())));
        keys.add(new Pair("DefaultTime2Retain", Integer.toString(o.defaultTime2Retain())));
        if (!discovery) {
            keys.add(new Pair("MaxConnections", "1"));
            keys.add(new Pair("InitialR2T", yesNo(o.initialR2T())));
            keys.add(new Pair("ImmediateData", yesNo(o.immediateData())));
            keys.add(new Pair("MaxBurstLength", Integer.toString(o.maxBurstLength())));
            keys.add(new Pair("FirstBurstLength", Integer.toString(Math.min(o.firstBurstLength(),
                    o.maxBurstLength()))));
            keys.add(new Pair("MaxOutstandingR2T", Integer.toString(o.maxOutstandingR2T())));
            keys.add(new Pair("DataPDUInOrder", yesNo(o.dataPduInOrder())));
            keys.add(new Pair("DataSequenceInOrder", yesNo(o.dataSequenceInOrder())));
        }
        List<Pair> out = offer(keys);
        // Declarative (RFC 7143 13.12): not an offer, the target states its own value independently.
        out.add(new Pair("MaxRecvDataSegmentLength", Integer.toString(o.maxRecvDataSegmentLength())));
        return out;
    }

    private List<Pair> offer(List<Pair> keys) {
        for (Pair p : keys) {
            offered.put(p.key(), p.value());
        }
        return new ArrayList<>(keys);
    }

    /** Keys offered but not answered yet. */
    boolean awaitingAnswers() {
        return !offered.isEmpty();
    }

    /**
     * Takes one (complete) login response's keys; returns our answers to keys the target offered
     * on its own, to send in the next request.
     *
     * @throws LoginException when an answer breaks the negotiation rules
     */
    List<Pair> apply(List<Pair> pairs) throws LoginException {
        List<Pair> answers = new ArrayList<>();
        for (Pair p : pairs) {
            String key = p.key();
            String value = p.value();
            String ours = offered.remove(key);
            boolean answer = ours != null;
            if (isSpecial(value)) {
                // Reject / Irrelevant / NotUnderstood: the key keeps its default (RFC 7143 6.2).
                if (key.equals("AuthMethod")) {
                    throw new LoginException("target answered AuthMethod=" + value);
                }
                continue;
            }
            switch (key) {
                case "AuthMethod" -> {
                    if (answer) {
                        // RFC 7143 6.2.1: the answer is one value out of our offer.
                        if (!containsItem(ours, value) || value.indexOf(',') >= 0) {
                            throw new LoginException(ours.equals("None")
                                    ? "target requires authentication (AuthMethod=" + value + ")"
                                    : "target chose AuthMethod=" + value + ", which we did not offer");
                        }
                        chapChosen = value.equalsIgnoreCase("CHAP");
                        authMethodAnswered = true;
                    } else if (!value.equalsIgnoreCase("None")) {
                        answers.add(new Pair(key, containsItem(value, "None") ? "None" : "Reject"));
                    }
                }
                case "HeaderDigest" -> {
                    headerDigest = digest(key, value, o.headerDigests(), answer);
                    if (!answer) {
                        answers.add(new Pair(key, headerDigest.keyValue()));
                    }
                }
                case "DataDigest" -> {
                    dataDigest = digest(key, value, o.dataDigests(), answer);
                    if (!answer) {
                        answers.add(new Pair(key, dataDigest.keyValue()));
                    }
                }
                case "MaxRecvDataSegmentLength" -> targetSegment = number(key, value, 512, InitiatorOptions.MAX_SEGMENT);
                case "MaxBurstLength" -> maxBurst = min(key, value, o.maxBurstLength(), 512,
                        InitiatorOptions.MAX_SEGMENT, answer, answers);
                case "FirstBurstLength" -> firstBurst = min(key, value, o.firstBurstLength(), 512,
                        InitiatorOptions.MAX_SEGMENT, answer, answers);
                case "MaxOutstandingR2T" -> maxOutstandingR2T = min(key, value, o.maxOutstandingR2T(), 1, 65535,
                        answer, answers);
                case "ErrorRecoveryLevel" -> errorRecoveryLevel = min(key, value, 0, 0, 2, answer, answers);
                case "MaxConnections" -> maxConnections = min(key, value, 1, 1, 65535, answer, answers);
                case "DefaultTime2Retain" -> time2Retain = min(key, value, o.defaultTime2Retain(), 0, 3600, answer,
                        answers);
                case "DefaultTime2Wait" -> {
                    int theirs = number(key, value, 0, 3600);
                    time2Wait = Math.max(theirs, o.defaultTime2Wait());
                    if (answer && theirs < o.defaultTime2Wait()) {
                        throw new LoginException("target answered " + key + "=" + value + " below our offer");
                    }
                    if (!answer) {
                        answers.add(new Pair(key, Integer.toString(time2Wait)));
                    }
                }
                case "InitialR2T" -> initialR2T = or(key, value, o.initialR2T(), answer, answers);
                case "DataPDUInOrder" -> dataPduInOrder = or(key, value, o.dataPduInOrder(), answer, answers);
                case "DataSequenceInOrder" -> dataSequenceInOrder = or(key, value, o.dataSequenceInOrder(), answer,
                        answers);
                case "ImmediateData" -> {
                    boolean theirs = bool(key, value);
                    immediateData = theirs && o.immediateData();
                    if (answer && theirs && !o.immediateData()) {
                        throw new LoginException("target answered ImmediateData=Yes to our No");
                    }
                    if (!answer) {
                        answers.add(new Pair(key, yesNo(immediateData)));
                    }
                }
                case "TargetPortalGroupTag" -> portalGroupTag = number(key, value, 0, 65535);
                case "TargetAlias" -> targetAlias = value;
                case "TargetAddress", "TargetName", "InitiatorName", "InitiatorAlias", "SessionType" -> { }
                default -> {
                    if (!answer && !key.startsWith("X-") && !key.startsWith("X#")) {
                        answers.add(new Pair(key, "NotUnderstood"));
                    }
                }
            }
        }
        return answers;
    }

    /** Closes negotiation: keys never answered keep their defaults; checks cross-key rules. */
    NegotiatedParameters result() {
        // RFC 7143 13.14: FirstBurstLength MUST NOT exceed MaxBurstLength.
        int first = Math.min(firstBurst, maxBurst);
        return new NegotiatedParameters(headerDigest, dataDigest, targetSegment, o.maxRecvDataSegmentLength(),
                maxBurst, first, immediateData, initialR2T, maxOutstandingR2T, dataPduInOrder, dataSequenceInOrder,
                errorRecoveryLevel, maxConnections, time2Wait, time2Retain, portalGroupTag, targetAlias);
    }

    private static boolean isSpecial(String v) {
        return v.equals("Reject") || v.equals("Irrelevant") || v.equals("NotUnderstood");
    }

    private static Digest digest(String key, String value, List<Digest> ours, boolean answer) throws LoginException {
        if (answer) {
            Digest d = Digest.fromKeyValue(value);
            if (d == null || !ours.contains(d)) {
                throw new LoginException("target chose " + key + "=" + value + ", which we did not offer");
            }
            return d;
        }
        for (Digest d : ours) {
            if (containsItem(value, d.keyValue())) {
                return d;
            }
        }
        throw new LoginException("no common " + key + " in target offer " + value);
    }

    private static boolean containsItem(String list, String item) {
        for (String s : list.split(",", -1)) {
            if (s.trim().equalsIgnoreCase(item)) {
                return true;
            }
        }
        return false;
    }

    private static int min(String key, String value, int ours, int lo, int hi, boolean answer, List<Pair> answers)
            throws LoginException {
        int theirs = number(key, value, lo, hi);
        if (answer && theirs > ours) {
            throw new LoginException("target answered " + key + "=" + value + " above our offer " + ours);
        }
        int result = Math.min(theirs, ours);
        if (!answer) {
            answers.add(new Pair(key, Integer.toString(result)));
        }
        return result;
    }

    private static boolean or(String key, String value, boolean ours, boolean answer, List<Pair> answers)
            throws LoginException {
        boolean theirs = bool(key, value);
        if (answer && ours && !theirs) {
            throw new LoginException("target answered " + key + "=No to our Yes");
        }
        boolean result = theirs || ours;
        if (!answer) {
            answers.add(new Pair(key, yesNo(result)));
        }
        return result;
    }

    static int number(String key, String value, int lo, int hi) throws LoginException {
        long v;
        try {
            String s = value.trim();
            if (s.length() > 12) {
                throw new NumberFormatException();
            }
            v = s.regionMatches(true, 0, "0x", 0, 2) ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new LoginException("target sent non-numeric " + key + "=" + value);
        }
        if (v < lo || v > hi) {
            throw new LoginException("target sent " + key + "=" + value + " outside " + lo + ".." + hi);
        }
        return (int) v;
    }

    private static boolean bool(String key, String value) throws LoginException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new LoginException("target sent " + key + "=" + value + ", expected Yes or No");
        };
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    private static String digestList(List<Digest> ds) {
        StringBuilder sb = new StringBuilder();
        for (Digest d : ds) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(d.keyValue());
        }
        return sb.toString();
    }
}
