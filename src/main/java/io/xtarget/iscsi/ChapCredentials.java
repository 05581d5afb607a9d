package io.xtarget.iscsi;

/**
 * CHAP secrets for logins to one target (RFC 7143 12.1.3): what the initiator must prove, and
 * optionally what the target answers when the initiator asks it to authenticate itself (mutual).
 *
 * @param user the name the initiator sends in CHAP_N
 * @param secret the secret the initiator's CHAP_R is computed with
 * @param mutualUser the name the target sends back, or null when mutual CHAP is not configured
 * @param mutualSecret the secret of the target's CHAP_R, or null
 */
public record ChapCredentials(String user, String secret, String mutualUser, String mutualSecret) {
    public ChapCredentials {
        if (user == null || secret == null) {
            throw new IllegalArgumentException("CHAP needs a user and a secret");
        }
        if ((mutualUser == null) != (mutualSecret == null)) {
            throw new IllegalArgumentException("mutual CHAP needs both a user and a secret");
        }
    }

    public ChapCredentials(String user, String secret) {
        this(user, secret, null, null);
    }

    public boolean mutual() {
        return mutualUser != null;
    }

    /** Secrets stay out of logs. */
    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + (mutual() ? ", mutualUser=" + mutualUser : "") + "]";
    }
}
