package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The security stage of one login without a socket: AuthMethod, CHAP required or not, the throttle. */
class LoginSecurityTest {
    static final long S = 1_000_000_000L;
    static final String NAME = "iqn.2026-11.io.example:alice";
    static final String PEER = "192.0.2.7";

    final LoginThrottle throttle = new LoginThrottle(60 * S, 600 * S);

    LoginSecurity login(long deadline) {
        return new LoginSecurity(throttle, PEER, deadline, 15 * S);
    }

    static TextParameters keys(String... kv) {
        TextParameters t = new TextParameters();
        for (int i = 0; i < kv.length; i += 2) {
            t.put(kv[i], kv[i + 1]);
        }
        return t;
    }

    @Test
    void withoutSecretsTheAnswerIsAuthMethodNoneAndChapKeysAreIrrelevant() {
        LoginSecurity s = login(System.nanoTime() + 15 * S);
        TextParameters answer = new TextParameters();
        assertThat(s.answer(keys("AuthMethod", "CHAP,None", "CHAP_A", "5"), answer)).isNull();
        assertThat(answer.asMap()).containsEntry("AuthMethod", "None").containsEntry("CHAP_A", "Irrelevant");
        assertThat(s.chapPending()).isFalse();
        assertThat(s.answer(keys("AuthMethod", "CHAP"), new TextParameters())).isEqualTo("no common AuthMethod in CHAP");
    }

    @Test
    void aFailureIsCountedOnlyWhereTheTargetRequiredChap() {
        LoginSecurity open = login(System.nanoTime() + 15 * S);
        open.failed(NAME, "t", "no common AuthMethod in CHAP");
        assertThat(throttle.stats().authFailures()).isZero();

        LoginSecurity chap = login(System.nanoTime() + 15 * S);
        chap.require(new ChapCredentials("alice", "alicesecret1"));
        assertThat(chap.chapPending()).isTrue();
        TextParameters answer = new TextParameters();
        assertThat(chap.answer(keys("AuthMethod", "CHAP"), answer)).isNull();
        assertThat(answer.get("AuthMethod")).isEqualTo("CHAP");
        chap.failed(NAME, null, "wrong response");
        assertThat(throttle.stats().authFailures()).isEqualTo(1);
        assertThat(throttle.failuresOfName(NAME)).isEqualTo(1);
        chap.succeeded(NAME);
        assertThat(throttle.failuresOfName(NAME)).isZero();
    }

    @Test
    void aLoginWhoseTurnComesTooLateIsRefusedAtOnce() throws Exception {
        LoginSecurity first = login(System.nanoTime() + 15 * S);
        assertThat(first.admit(NAME)).isNull(); // nothing failed yet: no wait
        first.require(new ChapCredentials("alice", "alicesecret1"));
        first.failed(NAME, "t", "wrong response");

        LoginSecurity next = login(System.nanoTime() + 15 * S);
        assertThat(next.admit(NAME.toUpperCase()))
                .matches("throttled after failed CHAP logins: next try in \\d+\\.\\d s, beyond the login timeout");
        assertThat(next.refusedByThrottle()).isTrue();
        assertThat(first.refusedByThrottle()).isFalse();
    }

    @Test
    void initiatorTextIsMadePrintableForOneLogLine() {
        assertThat(LoginSecurity.printable(null)).isEqualTo("?");
        assertThat(LoginSecurity.printable("a\nb\u007f")).isEqualTo("a?b?");
        assertThat(LoginSecurity.printable("x".repeat(300))).isEqualTo("x".repeat(256) + "...");
    }
}
