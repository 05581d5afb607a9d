package io.xtarget.initiator;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.Chap;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The initiator's side of CHAP in the security stage (RFC 7143 12.1.3): after the target chose
 * AuthMethod=CHAP we send CHAP_A=5, answer its CHAP_I/CHAP_C with CHAP_N/CHAP_R (adding our own
 * CHAP_I/CHAP_C for mutual CHAP), and for mutual CHAP check the target's CHAP_N/CHAP_R.
 */
final class ChapResponder {
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { OFFERED, ALGORITHM_SENT, RESPONSE_SENT, DONE, SKIPPED }

    private final ChapSecrets secrets;
    private final String context;
    private State state = State.OFFERED;
    private byte[] theirChallenge;
    private int ourIdentifier;
    private byte[] ourChallenge;

    ChapResponder(ChapSecrets secrets, String context) {
        this.secrets = secrets;
        this.context = context;
    }

    static boolean isChapKey(String key) {
        return key.startsWith("CHAP_");
    }

    /** Whether the request we send next may ask to leave the security stage (T=1). */
    boolean mayTransit() {
        return state == State.RESPONSE_SENT || state == State.DONE || state == State.SKIPPED;
    }

    /** True when the security stage may end: CHAP finished, or the target chose None for discovery. */
    boolean complete() {
        return state == State.DONE || state == State.SKIPPED;
    }

    /**
     * Takes the CHAP keys of one security-stage response and gives the CHAP keys of our next request.
     *
     * @param chapChosen whether the target has answered AuthMethod=CHAP (by now)
     * @param methodAnswered whether the target has answered AuthMethod at all
     * @throws LoginException when the target breaks the exchange or fails mutual authentication
     */
    List<Pair> onResponse(boolean chapChosen, boolean methodAnswered, Map<String, String> chap)
            throws LoginException {
        switch (state) {
            case OFFERED -> {
                if (!methodAnswered) {
                    throw fail("target did not answer AuthMethod");
                }
                if (!chapChosen) {
                    state = State.SKIPPED; // only possible when we offered None too (discovery)
                    return List.of();
                }
                state = State.ALGORITHM_SENT;
                return List.of(new Pair("CHAP_A", Integer.toString(Chap.ALGORITHM_MD5)));
            }
            case ALGORITHM_SENT -> {
                return answerChallenge(chap);
            }
            case RESPONSE_SENT -> {
                if (secrets.mutual()) {
                    verifyTarget(chap);
                }
                state = State.DONE;
                return List.of();
            }
            default -> {
                return List.of();
            }
        }
    }

    private List<Pair> answerChallenge(Map<String, String> chap) throws LoginException {
        if (!Integer.toString(Chap.ALGORITHM_MD5).equals(chap.get("CHAP_A"))) {
            throw fail("target chose CHAP_A=" + chap.get("CHAP_A") + ", we offered 5 (MD5)");
        }
        int id = Chap.decodeIdentifier(chap.get("CHAP_I"));
        theirChallenge = Chap.decodeBinary(chap.get("CHAP_C"));
        if (id < 0 || theirChallenge == null) {
            throw fail("target sent a malformed CHAP_I or CHAP_C");
        }
        List<Pair> out = new ArrayList<>();
        out.add(new Pair("CHAP_N", secrets.user()));
        out.add(new Pair("CHAP_R", Chap.hex(Chap.response(id, secrets.secret(), theirChallenge))));
        if (secrets.mutual()) {
            ourIdentifier = RANDOM.nextInt(256);
            do {
                ourChallenge = new byte[Chap.CHALLENGE_LENGTH];
                RANDOM.nextBytes(ourChallenge);
            } while (Arrays.equals(ourChallenge, theirChallenge)); // never reflect theirs
            out.add(new Pair("CHAP_I", Integer.toString(ourIdentifier)));
            out.add(new Pair("CHAP_C", Chap.hex(ourChallenge)));
        }
        state = State.RESPONSE_SENT;
        return out;
    }

    private void verifyTarget(Map<String, String> chap) throws LoginException {
        String name = chap.get("CHAP_N");
        byte[] r = Chap.decodeBinary(chap.get("CHAP_R"));
        if (name == null || chap.get("CHAP_R") == null) {
            throw fail("target did not answer our mutual CHAP challenge");
        }
        byte[] expected = Chap.response(ourIdentifier, secrets.mutualSecret(), ourChallenge);
        if (!name.equals(secrets.mutualUser()) || !Chap.matches(expected, r)) {
            throw fail("target failed mutual CHAP authentication");
        }
    }

    private LoginException fail(String why) {
        return new LoginException(context + ": " + why);
    }
}
