package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Chap;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ChapAuthenticatorTest {
    static final ChapCredentials ONE_WAY = new ChapCredentials("alice", "alicesecret1");
    static final ChapCredentials MUTUAL = new ChapCredentials("alice", "alicesecret1", "target", "targetsecret");

    private static TextParameters keys(String... kv) {
        TextParameters t = new TextParameters();
        for (int i = 0; i < kv.length; i += 2) {
            t.put(kv[i], kv[i + 1]);
        }
        return t;
    }

    /** Runs steps 1 and 2; returns the challenge answer. */
    private static TextParameters challenge(ChapAuthenticator a) {
        TextParameters r1 = new TextParameters();
        assertThat(a.handle(keys("AuthMethod", "None,CHAP"), r1)).isNull();
        assertThat(r1.asMap()).containsExactly(java.util.Map.entry("AuthMethod", "CHAP"));
        TextParameters r2 = new TextParameters();
        assertThat(a.handle(keys("CHAP_A", "7,5"), r2)).isNull();
        assertThat(r2.get("CHAP_A")).isEqualTo("5");
        assertThat(Chap.decodeIdentifier(r2.get("CHAP_I"))).isBetween(0, 255);
        assertThat(r2.get("CHAP_C")).matches("0x[0-9a-f]{32}");
        assertThat(a.done()).isFalse();
        return r2;
    }

    private static byte[] answer(TextParameters challenge, String secret) {
        return Chap.response(Chap.decodeIdentifier(challenge.get("CHAP_I")), secret,
                Chap.decodeBinary(challenge.get("CHAP_C")));
    }

    @Test
    void oneWayChapAcceptsTheRightResponseInHexOrBase64() {
        for (boolean base64 : new boolean[] {false, true}) {
            ChapAuthenticator a = new ChapAuthenticator(ONE_WAY);
            TextParameters c = challenge(a);
            byte[] r = answer(c, "alicesecret1");
            String encoded = base64 ? "0b" + Base64.getEncoder().encodeToString(r) : Chap.hex(r).toUpperCase()
                    .replace("0X", "0x");
            TextParameters out = new TextParameters();
            assertThat(a.handle(keys("CHAP_N", "alice", "CHAP_R", encoded), out)).isNull();
            assertThat(out.isEmpty()).isTrue();
            assertThat(a.done()).isTrue();
        }
    }

    @Test
    void wrongSecretOrUserFails() {
        ChapAuthenticator a = new ChapAuthenticator(ONE_WAY);
        TextParameters c = challenge(a);
        assertThat(a.handle(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(answer(c, "wrongsecret1"))),
                new TextParameters())).contains("response wrong");
        ChapAuthenticator b = new ChapAuthenticator(ONE_WAY);
        TextParameters c2 = challenge(b);
        assertThat(b.handle(keys("CHAP_N", "bob", "CHAP_R", Chap.hex(answer(c2, "alicesecret1"))),
                new TextParameters())).contains("unknown user");
        assertThat(b.done()).isFalse();
    }

    @Test
    void malformedResponsesFailWithoutException() {
        for (String r : new String[] {"0x123", "0xzz", "0x" + "00".repeat(15), "0x" + "00".repeat(17),
            "0x" + "ab".repeat(5000), "0b!!!!", "", "plain"}) {
            ChapAuthenticator a = new ChapAuthenticator(ONE_WAY);
            challenge(a);
            assertThat(a.handle(keys("CHAP_N", "alice", "CHAP_R", r), new TextParameters())).as(r)
                    .isEqualTo("malformed CHAP_R");
        }
    }

    @Test
    void offersWithoutChapOrMd5Fail() {
        assertThat(new ChapAuthenticator(ONE_WAY).handle(keys("AuthMethod", "None"), new TextParameters()))
                .contains("CHAP required");
        assertThat(new ChapAuthenticator(ONE_WAY).handle(keys("AuthMethod", "SRP,KRB5"), new TextParameters()))
                .contains("CHAP required");
        assertThat(new ChapAuthenticator(ONE_WAY).handle(keys(), new TextParameters())).contains("no AuthMethod");
        ChapAuthenticator a = new ChapAuthenticator(ONE_WAY);
        a.handle(keys("AuthMethod", "CHAP"), new TextParameters());
        assertThat(a.handle(keys("CHAP_A", "7"), new TextParameters())).contains("CHAP_A=5");
    }

    @Test
    void keysOutOfOrderFail() {
        ChapAuthenticator a = new ChapAuthenticator(ONE_WAY);
        a.handle(keys("AuthMethod", "CHAP"), new TextParameters());
        assertThat(a.handle(keys("CHAP_N", "alice", "CHAP_R", "0x00"), new TextParameters())).isNotNull();
        ChapAuthenticator b = new ChapAuthenticator(ONE_WAY);
        challenge(b);
        assertThat(b.handle(keys("AuthMethod", "CHAP"), new TextParameters())).contains("again");
    }

    @Test
    void methodAndAlgorithmMayShareOneRequest() {
        ChapAuthenticator a = new ChapAuthenticator(ONE_WAY);
        TextParameters out = new TextParameters();
        assertThat(a.handle(keys("AuthMethod", "CHAP", "CHAP_A", "5"), out)).isNull();
        assertThat(out.asMap().keySet()).containsExactly("AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C");
    }

    @Test
    void mutualChapAnswersWithTheTargetSecret() {
        ChapAuthenticator a = new ChapAuthenticator(MUTUAL);
        TextParameters c = challenge(a);
        byte[] ours = new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        TextParameters out = new TextParameters();
        assertThat(a.handle(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(answer(c, "alicesecret1")), "CHAP_I", "77",
                "CHAP_C", Chap.hex(ours)), out)).isNull();
        assertThat(out.get("CHAP_N")).isEqualTo("target");
        assertThat(out.get("CHAP_R")).isEqualTo(Chap.hex(Chap.response(77, "targetsecret", ours)));
        assertThat(a.done()).isTrue();
    }

    @Test
    void mutualChapRefusesAReflectedChallengeAndAMissingMutualSecret() {
        ChapAuthenticator a = new ChapAuthenticator(MUTUAL);
        TextParameters c = challenge(a);
        assertThat(a.handle(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(answer(c, "alicesecret1")), "CHAP_I", "1",
                "CHAP_C", c.get("CHAP_C")), new TextParameters())).contains("reflected");

        ChapAuthenticator b = new ChapAuthenticator(ONE_WAY);
        TextParameters c2 = challenge(b);
        assertThat(b.handle(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(answer(c2, "alicesecret1")), "CHAP_I", "1",
                "CHAP_C", "0x0102030405060708"), new TextParameters())).contains("no mutual secret");

        ChapAuthenticator d = new ChapAuthenticator(MUTUAL);
        TextParameters c3 = challenge(d);
        assertThat(d.handle(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(answer(c3, "alicesecret1")), "CHAP_C",
                "0x0102"), new TextParameters())).contains("both CHAP_I and CHAP_C");

        ChapAuthenticator e = new ChapAuthenticator(MUTUAL);
        TextParameters c4 = challenge(e);
        assertThat(e.handle(keys("CHAP_N", "alice", "CHAP_R", Chap.hex(answer(c4, "alicesecret1")), "CHAP_I",
                "300", "CHAP_C", "0x0102"), new TextParameters())).contains("malformed");
    }
}
