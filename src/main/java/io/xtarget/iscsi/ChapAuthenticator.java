package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Chap;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The target's side of a CHAP exchange in the security stage (RFC 7143 12.1.3):
 *
 * <ol>
 *   <li>I: AuthMethod=...,CHAP,... T: AuthMethod=CHAP
 *   <li>I: CHAP_A=list with 5 (MD5) T: CHAP_A=5, CHAP_I=random id, CHAP_C=random challenge
 *   <li>I: CHAP_N, CHAP_R [, CHAP_I, CHAP_C for mutual] T: [CHAP_N, CHAP_R for mutual]
 * </ol>
 *
 * Each step may share a request with the next one. Anything out of order, malformed or wrong
 * ends the login with authentication failure (status 0201); {@link #handle} then returns the
 * reason for the log, which never holds a secret.
 */
final class ChapAuthenticator {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Longest CHAP_N we look at; RFC 7143 6.1 bounds text values anyway. */
    private static final int MAX_NAME = 1024;

    private enum State { EXPECT_METHOD, EXPECT_ALGORITHM, EXPECT_RESPONSE, DONE }

    private final ChapCredentials credentials;
    private State state = State.EXPECT_METHOD;
    private int identifier;
    private byte[] challenge;

    ChapAuthenticator(ChapCredentials credentials) {
        this.credentials = credentials;
    }

    /** True once the initiator proved its secret (and got our mutual answer if it asked). */
    boolean done() {
        return state == State.DONE;
    }

    static boolean isChapKey(String key) {
        return key.equals("CHAP_A") || key.equals("CHAP_I") || key.equals("CHAP_C") || key.equals("CHAP_N")
                || key.equals("CHAP_R");
    }

    /**
     * Takes one security-stage request's keys and puts our answers in {@code answer}.
     *
     * @return null to go on, or why authentication failed
     */
    String handle(TextParameters keys, TextParameters answer) {
        String method = keys.get("AuthMethod");
        if (method != null) {
            if (state != State.EXPECT_METHOD) {
                return "AuthMethod offered again during CHAP";
            }
            if (!listContains(method, "CHAP")) {
                return "CHAP required, initiator offered AuthMethod=" + abbreviate(method);
            }
            answer.put("AuthMethod", "CHAP");
            state = State.EXPECT_ALGORITHM;
        }
        switch (state) {
            case EXPECT_METHOD -> {
                return "CHAP required, initiator offered no AuthMethod";
            }
            case EXPECT_ALGORITHM -> {
                String algorithms = keys.get("CHAP_A");
                if (algorithms == null) {
                    return method != null && noOtherChapKeys(keys, "") ? null : "expected CHAP_A";
                }
                if (!noOtherChapKeys(keys, "CHAP_A")) {
                    return "CHAP_N/CHAP_R/CHAP_I/CHAP_C before the challenge";
                }
                if (!Chap.offersMd5(algorithms)) {
                    return "initiator does not offer CHAP_A=5 (MD5): " + abbreviate(algorithms);
                }
                identifier = RANDOM.nextInt(256);
                challenge = new byte[Chap.CHALLENGE_LENGTH];
                RANDOM.nextBytes(challenge);
                answer.put("CHAP_A", Integer.toString(Chap.ALGORITHM_MD5));
                answer.put("CHAP_I", Integer.toString(identifier));
                answer.put("CHAP_C", Chap.hex(challenge));
                state = State.EXPECT_RESPONSE;
                return null;
            }
            case EXPECT_RESPONSE -> {
                return verify(keys, answer);
            }
            case DONE -> {
                return noOtherChapKeys(keys, "") ? null : "CHAP keys after authentication";
            }
        }
        return null; // unreachable: the switch covers every state
    }

    private String verify(TextParameters keys, TextParameters answer) {
        if (keys.contains("CHAP_A")) {
            return "CHAP_A offered again";
        }
        String name = keys.get("CHAP_N");
        String r = keys.get("CHAP_R");
        if (name == null || r == null) {
            return "expected CHAP_N and CHAP_R";
        }
        byte[] received = Chap.decodeBinary(r);
        if (received == null || received.length != Chap.RESPONSE_LENGTH) {
            return "malformed CHAP_R";
        }
        byte[] expected = Chap.response(identifier, credentials.secret(), challenge);
        // Check both so the time taken does not tell a wrong name from a wrong secret.
        boolean nameOk = name.length() <= MAX_NAME && name.equals(credentials.user());
        boolean responseOk = Chap.matches(expected, received);
        if (!nameOk || !responseOk) {
            return "CHAP " + (nameOk ? "response wrong for user " + abbreviate(name) : "unknown user "
                    + abbreviate(name));
        }
        String id = keys.get("CHAP_I");
        String c = keys.get("CHAP_C");
        if (id == null && c == null) {
            state = State.DONE;
            return null;
        }
        if (id == null || c == null) {
            return "mutual CHAP needs both CHAP_I and CHAP_C";
        }
        if (!credentials.mutual()) {
            return "initiator asks for mutual CHAP, but no mutual secret is configured";
        }
        int theirId = Chap.decodeIdentifier(id);
        byte[] theirChallenge = Chap.decodeBinary(c);
        if (theirId < 0 || theirChallenge == null) {
            return "malformed mutual CHAP_I or CHAP_C";
        }
        // RFC 7143 9.2.1: a challenge equal to ours would let the initiator replay our own
        // answer against us (reflection), so it is refused.
        if (Arrays.equals(theirChallenge, challenge)) {
            return "initiator reflected our CHAP challenge";
        }
        answer.put("CHAP_N", credentials.mutualUser());
        answer.put("CHAP_R", Chap.hex(Chap.response(theirId, credentials.mutualSecret(), theirChallenge)));
        state = State.DONE;
        return null;
    }

    /** True when no CHAP_* key except {@code allowed} is present. */
    private static boolean noOtherChapKeys(TextParameters keys, String allowed) {
        for (String k : keys.asMap().keySet()) {
            if (isChapKey(k) && !k.equals(allowed)) {
                return false;
            }
        }
        return true;
    }

    static boolean listContains(String list, String item) {
        for (String s : list.split(",", -1)) {
            if (s.equals(item)) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
