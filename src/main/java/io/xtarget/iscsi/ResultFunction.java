package io.xtarget.iscsi;

/**
 * How the acceptor of a negotiated key computes the outcome from the offered value and its own
 * choice (RFC 7143 6.2 and the "Result function" of each key in section 13). Inputs are values the
 * key's {@link KeyValues} admit.
 */
enum ResultFunction {
    /** No answer: the declared value simply holds (RFC 7143 6.2). */
    DECLARATIVE,
    /** The smaller of the offer and the acceptor's limit (RFC 7143 13, "Minimum"). */
    MIN,
    /** The larger of the offer and the acceptor's value (RFC 7143 13, "Maximum"). */
    MAX,
    /** Boolean AND of the offer and the acceptor's value (RFC 7143 6.2.2). */
    AND,
    /** Boolean OR of the offer and the acceptor's value (RFC 7143 6.2.2). */
    OR,
    /**
     * The first offered item the acceptor supports, in the offerer's order; "Reject" when none
     * (RFC 7143 6.2.1).
     */
    LIST,
    /**
     * A fixed answer whatever the offer: the obsoleted marker keys (RFC 7143 13.25: "No" (or
     * "Reject") for IFMarker/OFMarker, "Reject" for IFMarkInt/OFMarkInt).
     */
    FIXED;

    static final String REJECT = "Reject";

    /** The outcome to answer with, or null for a declarative key. */
    String select(String offered, String preferred) {
        return switch (this) {
            case DECLARATIVE -> null;
            case MIN -> Integer.toString(Math.min(number(offered), number(preferred)));
            case MAX -> Integer.toString(Math.max(number(offered), number(preferred)));
            case AND -> yesNo(offered.equals("Yes") && preferred.equals("Yes"));
            case OR -> yesNo(offered.equals("Yes") || preferred.equals("Yes"));
            case LIST -> firstSupported(offered, preferred);
            case FIXED -> preferred;
        };
    }

    private static int number(String v) {
        Integer n = KeyValues.number(v, 0, Integer.MAX_VALUE);
        if (n == null) {
            throw new IllegalArgumentException("not a numerical value: " + v);
        }
        return n;
    }

    private static String yesNo(boolean b) {
        return b ? "Yes" : "No";
    }

    private static String firstSupported(String offered, String supported) {
        for (String item : offered.split(",")) {
            for (String ours : supported.split(",")) {
                if (item.equals(ours)) {
                    return item;
                }
            }
        }
        return REJECT;
    }
}
