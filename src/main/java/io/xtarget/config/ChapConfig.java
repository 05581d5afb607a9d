package io.xtarget.config;

import io.xtarget.iscsi.ChapCredentials;

/**
 * CHAP secrets (RFC 7143 12.1.3) of a target, of one ACL entry, or of discovery sessions (the
 * top-level {@code "discoveryAuth"}). Checked by
 * {@link ConfigValidator}: secrets 12 to 16 characters, the mutual pair complete and different.
 *
 * @param user the name the initiator must send (CHAP_N)
 * @param secret the secret the initiator proves it knows
 * @param mutualUser the name the target answers with when the initiator authenticates it, or null
 * @param mutualSecret the target's secret for mutual CHAP, or null
 */
public record ChapConfig(String user, String secret, String mutualUser, String mutualSecret) {
    public static final int MIN_SECRET = 12;
    public static final int MAX_SECRET = 16;

    public ChapConfig(String user, String secret) {
        this(user, secret, null, null);
    }

    public boolean mutual() {
        return mutualUser != null || mutualSecret != null;
    }

    /** The runtime form; call on a validated config only. */
    public ChapCredentials toCredentials() {
        return new ChapCredentials(user, secret, mutualUser, mutualSecret);
    }

    /** Secrets stay out of logs and exception messages. */
    @Override
    public String toString() {
        return "ChapConfig[user=" + user + (mutualUser != null ? ", mutualUser=" + mutualUser : "") + "]";
    }
}
