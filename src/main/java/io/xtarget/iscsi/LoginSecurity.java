package io.xtarget.iscsi;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The security stage of one login (RFC 7143 6.3.1): whether it must pass CHAP ({@link
 * ChapAuthenticator}) or answers AuthMethod=None, and the {@link LoginThrottle} around it: the
 * wait before the first answer, failures counted and logged, a success reported. See {@link Login}
 * for when each applies.
 */
final class LoginSecurity {
    /** Logged under {@link Login}'s name, as the login's own lines are. */
    private static final Logger log = LoggerFactory.getLogger(Login.class);
    /** Time a throttled login keeps for its exchange before its login timeout. */
    static final long LOGIN_MARGIN_NANOS = 5_000_000_000L;

    private final LoginThrottle throttle;
    /** The initiator's IP address (no port): the throttle's address key. */
    private final String peer;
    /** System.nanoTime() at which the connection's login timeout ends it. */
    private final long deadline;
    private final long loginTimeoutNanos;
    /** The CHAP exchange this login must complete, or null when the target asks for none. */
    private ChapAuthenticator chap;
    /** The login was refused by the throttle alone (logged quietly: such refusals are not rate limited). */
    private boolean throttled;

    LoginSecurity(LoginThrottle throttle, String peer, long deadline, long loginTimeoutNanos) {
        this.throttle = throttle;
        this.peer = peer;
        this.deadline = deadline;
        this.loginTimeoutNanos = loginTimeoutNanos;
    }

    /**
     * The throttle's turn for this login: waits for it (on this, virtual, thread) and returns null,
     * or returns why the login is refused with 0301 because its turn would come too late. A login
     * never waits past its deadline less {@link #LOGIN_MARGIN_NANOS} (at most half its login
     * timeout), the time left for the exchange.
     */
    String admit(String name) throws InterruptedIOException {
        String key = name == null ? null : name.toLowerCase(Locale.ROOT);
        long now = System.nanoTime();
        long margin = Math.min(LOGIN_MARGIN_NANOS, loginTimeoutNanos / 2);
        LoginThrottle.Admission a = throttle.admit(key, peer, now, deadline - margin);
        if (a.refused()) {
            throttled = true;
            return String.format(Locale.ROOT,
                    "throttled after failed CHAP logins: next try in %.1f s, beyond the login timeout",
                    a.waitNanos() / 1e9);
        }
        if (a.waitNanos() > 0) {
            log.debug("login of {} from {}: throttled for {} ms", key, peer, a.waitNanos() / 1_000_000);
            try {
                Thread.sleep(Duration.ofNanos(a.waitNanos()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while throttled");
            }
        }
        return null;
    }

    boolean refusedByThrottle() {
        return throttled;
    }

    /** The target has secrets for this initiator (null: none): the login must complete CHAP with them. */
    void require(ChapCredentials credentials) {
        if (credentials != null) {
            chap = new ChapAuthenticator(credentials);
        }
    }

    /** A CHAP exchange is required and not complete yet. */
    boolean chapPending() {
        return chap != null && !chap.done();
    }

    /**
     * Answers the security keys of a request in the security stage: the CHAP exchange's step, or
     * AuthMethod=None (CHAP_* keys then Irrelevant, RFC 7143 6.2). Returns why the login fails
     * with 0201, or null.
     */
    String answer(TextParameters keys, TextParameters answer) {
        if (chap != null) {
            return chap.handle(keys, answer);
        }
        String auth = keys.get("AuthMethod");
        if (auth != null) {
            boolean none = false;
            for (String m : auth.split(",")) {
                none |= m.equals("None");
            }
            if (!none) {
                return "no common AuthMethod in " + auth;
            }
            answer.put("AuthMethod", "None");
        }
        for (String k : keys.asMap().keySet()) {
            if (ChapAuthenticator.isChapKey(k)) {
                answer.put(k, "Irrelevant");
            }
        }
        return null;
    }

    /** The login is refused with 0201: where the target required CHAP, counted and logged (WARN). */
    void failed(String initiatorName, String targetName, String why) {
        if (chap != null) {
            long backoff = throttle.failed(initiatorName, peer, System.nanoTime());
            log.warn("CHAP authentication failed: initiator {} from {} to target {} ({}); login back-off now {} ms",
                    printable(initiatorName), peer, targetName == null ? "?" : targetName, printable(why),
                    backoff / 1_000_000);
        }
    }

    /** The login completes: a CHAP login clears its name's and address's failures. */
    void succeeded(String initiatorName) {
        if (chap != null) {
            throttle.succeeded(initiatorName, peer);
        }
    }

    /** Text from the initiator, made safe for one log line: control characters replaced, cut at 256. */
    static String printable(String s) {
        if (s == null) {
            return "?";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 260));
        for (int i = 0; i < s.length() && i < 256; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        return s.length() > 256 ? b.append("...").toString() : b.toString();
    }
}
