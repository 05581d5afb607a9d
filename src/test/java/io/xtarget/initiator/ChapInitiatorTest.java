package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.Chap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The initiator's CHAP pieces: URL credentials, options, the AuthMethod offer and the responder. */
class ChapInitiatorTest {
    @Test
    void urlWithUserAndSecret() {
        IscsiUrl u = IscsiUrl.parse("iscsi://alice%alicesecret1@127.0.0.1:3261/iqn.2026-11.io.x:t/2");
        assertThat(u.chap()).isEqualTo(new ChapSecrets("alice", "alicesecret1", null, null));
        assertThat(u.host()).isEqualTo("127.0.0.1");
        assertThat(u.port()).isEqualTo(3261);
        assertThat(u.lun()).isEqualTo(2);
        assertThat(u.toString()).isEqualTo("iscsi://alice@127.0.0.1:3261/iqn.2026-11.io.x:t/2");
        assertThat(IscsiUrl.parse("iscsi://127.0.0.1/iqn.x:y/0").chap()).isNull();
    }

    @Test
    void urlWithMutualArgumentsAsLibiscsi() {
        IscsiUrl u = IscsiUrl.parse("iscsi://Carol%pa%ss@[::1]:3262/iqn.x:y/0?target_user=T&target_password=tsecret");
        assertThat(u.chap()).isEqualTo(new ChapSecrets("Carol", "pa%ss", "T", "tsecret"));
        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.targetName()).isEqualTo("iqn.x:y");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "iscsi://alice@h/iqn.x/1|must be user%secret",
        "iscsi://alice%@h/iqn.x/1|must be user%secret",
        "iscsi://%secret@h/iqn.x/1|must be user%secret",
        "iscsi://@h/iqn.x/1|must be user%secret",
        "iscsi://a%s@h/iqn.x/1?target_user=t|needs both target_user and target_password",
        "iscsi://h/iqn.x/1?target_user=t&target_password=p|needs user%secret@ too",
        "iscsi://a%s@h/iqn.x/1?header_digest=crc32c|not supported",
    })
    void badCredentialsAreExplainedWithoutTheSecret(String url, String message) {
        assertThatThrownBy(() -> IscsiUrl.parse(url)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).satisfies(e -> {
                    if (url.contains("%s@")) {
                        assertThat(e.getMessage()).doesNotContain("%s@");
                    }
                });
    }

    @Test
    void optionsCarryTheSecrets() {
        InitiatorOptions o = InitiatorOptions.defaults().withChap("alice", "alicesecret1")
                .withMutualChap("t", "targetsecret").withInitiatorName("iqn.2026-11.io.x:i");
        assertThat(o.chap()).isEqualTo(new ChapSecrets("alice", "alicesecret1", "t", "targetsecret"));
        assertThat(o.withChap("bob", "bobsecret1234").chap().mutualUser()).isEqualTo("t");
        assertThat(o.withChapSecrets(null).chap()).isNull();
        assertThatThrownBy(() -> InitiatorOptions.defaults().withMutualChap("t", "s"))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> InitiatorOptions.defaults().withChap("", "s"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(o.chap().toString()).doesNotContain("alicesecret1", "targetsecret");
    }

    @Test
    void authMethodOffer() throws Exception {
        InitiatorOptions chap = InitiatorOptions.defaults().withChap("alice", "alicesecret1");
        assertThat(new Negotiation(chap, false).securityOffer()).containsExactly(new Pair("AuthMethod", "CHAP"));
        assertThat(new Negotiation(chap, true).securityOffer()).containsExactly(new Pair("AuthMethod", "CHAP,None"));
        InitiatorOptions mutual = chap.withMutualChap("t", "targetsecret");
        assertThat(new Negotiation(mutual, true).securityOffer()).containsExactly(new Pair("AuthMethod", "CHAP"));
        assertThat(new Negotiation(InitiatorOptions.defaults(), false).securityOffer())
                .containsExactly(new Pair("AuthMethod", "None"));

        Negotiation n = new Negotiation(chap, false);
        n.securityOffer();
        n.apply(List.of(new Pair("AuthMethod", "CHAP")));
        assertThat(n.chapChosen()).isTrue();
        Negotiation none = new Negotiation(chap, false);
        none.securityOffer();
        assertThatThrownBy(() -> none.apply(List.of(new Pair("AuthMethod", "None"))))
                .isInstanceOf(LoginException.class).hasMessageContaining("did not offer");
    }

    static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void responderAnswersTheChallengeAndChecksTheTarget() throws Exception {
        ChapResponder r = new ChapResponder(new ChapSecrets("alice", "alicesecret1", "t", "targetsecret"), "test");
        assertThat(r.mayTransit()).isFalse();
        assertThat(r.onResponse(true, true, Map.of())).containsExactly(new Pair("CHAP_A", "5"));
        assertThat(r.mayTransit()).isFalse();
        byte[] challenge = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
        List<Pair> answer = r.onResponse(true, true, map("CHAP_A", "5", "CHAP_I", "42", "CHAP_C", Chap.hex(challenge)));
        assertThat(answer.get(0)).isEqualTo(new Pair("CHAP_N", "alice"));
        // md5(0x2a || "alicesecret1" || 00..0f), computed outside Java.
        assertThat(answer.get(1).value()).isEqualTo(Chap.hex(Chap.response(42, "alicesecret1", challenge)));
        assertThat(answer).extracting(Pair::key).containsExactly("CHAP_N", "CHAP_R", "CHAP_I", "CHAP_C");
        assertThat(r.mayTransit()).isTrue();
        assertThat(r.complete()).isFalse();
        int id = Integer.parseInt(answer.get(2).value());
        byte[] ours = Chap.decodeBinary(answer.get(3).value());
        assertThat(ours).hasSize(16).isNotEqualTo(challenge);
        r.onResponse(true, true, map("CHAP_N", "t", "CHAP_R", Chap.hex(Chap.response(id, "targetsecret", ours))));
        assertThat(r.complete()).isTrue();
    }

    @Test
    void responderRefusesBadTargetAnswers() throws Exception {
        byte[] c = new byte[16];
        ChapResponder wrongAlgorithm = started();
        assertThatThrownBy(() -> wrongAlgorithm.onResponse(true, true, map("CHAP_A", "7", "CHAP_I", "1", "CHAP_C",
                Chap.hex(c)))).isInstanceOf(LoginException.class).hasMessageContaining("CHAP_A=7");
        ChapResponder badChallenge = started();
        assertThatThrownBy(() -> badChallenge.onResponse(true, true, map("CHAP_A", "5", "CHAP_I", "1", "CHAP_C",
                "0x123"))).isInstanceOf(LoginException.class).hasMessageContaining("malformed");
        ChapResponder silent = started();
        silent.onResponse(true, true, map("CHAP_A", "5", "CHAP_I", "1", "CHAP_C", Chap.hex(c)));
        assertThatThrownBy(() -> silent.onResponse(true, true, Map.of())).isInstanceOf(LoginException.class)
                .hasMessageContaining("did not answer our mutual CHAP challenge");
        ChapResponder garbage = started();
        garbage.onResponse(true, true, map("CHAP_A", "5", "CHAP_I", "1", "CHAP_C", Chap.hex(c)));
        assertThatThrownBy(() -> garbage.onResponse(true, true, map("CHAP_N", "t", "CHAP_R", "0xzz")))
                .isInstanceOf(LoginException.class).hasMessageContaining("failed mutual CHAP");
        ChapResponder unanswered = new ChapResponder(new ChapSecrets("a", "b", null, null), "test");
        assertThatThrownBy(() -> unanswered.onResponse(false, false, Map.of())).isInstanceOf(LoginException.class)
                .hasMessageContaining("did not answer AuthMethod");
    }

    private static ChapResponder started() throws Exception {
        ChapResponder r = new ChapResponder(new ChapSecrets("alice", "alicesecret1", "t", "targetsecret"), "test");
        r.onResponse(true, true, Map.of());
        return r;
    }
}
