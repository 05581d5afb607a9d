package io.xtarget.initiator;

/**
 * What the initiator needs for CHAP (RFC 7143 12.1.3).
 *
 * @param user our CHAP name (CHAP_N)
 * @param secret our secret, answering the target's challenge
 * @param mutualUser the name the target must answer with in mutual CHAP, or null for one-way
 * @param mutualSecret the target's secret we check its answer with, or null
 */
public record ChapSecrets(String user, String secret, String mutualUser, String mutualSecret) {
    /** Text values are at most 255 bytes for names in practice; secrets are bounded likewise. */
    private static final int MAX = 255;

    public ChapSecrets {
        check("CHAP user", user);
        check("CHAP secret", secret);
        if ((mutualUser == null) != (mutualSecret == null)) {
            throw new IllegalArgumentException("mutual CHAP needs both a user and a secret");
        }
        if (mutualUser != null) {
            check("mutual CHAP user", mutualUser);
            check("mutual CHAP secret", mutualSecret);
        }
    }

    private static void check(String what, String v) {
        if (v == null || v.isEmpty() || v.length() > MAX || v.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX + " characters without NUL");
        }
    }

    public boolean mutual() {
        return mutualUser != null;
    }

    /** Secrets stay out of logs. */
    @Override
    public String toString() {
        return "ChapSecrets[user=" + user + (mutual() ? ", mutualUser=" + mutualUser : "") + "]";
    }
}
