package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.LimitsConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.DiscoveredTarget;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.LoginException;
import io.xtarget.scsi.CopyAccessPolicy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHAP over real logins (RFC 7143 12.1.3): the config (saved and reloaded, as {@code xtarget
 * serve} does), the target's security stage, the project initiator, and libiscsi's tools as an
 * independent initiator (CHAP via {@code user%secret@}, mutual via {@code target_user} /
 * {@code target_password}).
 */
@Timeout(120)
class ChapE2eTest {
    static final String ONE_WAY = "iqn.2026-11.io.xtarget:chap1";
    static final String MUTUAL = "iqn.2026-11.io.xtarget:chap2";
    static final String ACL = "iqn.2026-11.io.xtarget:chapacl";
    static final String HOST = "iqn.2026-11.io.example:host";
    static final String BOB = "iqn.2026-11.io.example:bob";
    static final String PLAIN = "iqn.2026-11.io.example:plain";
    static final byte[] INQUIRY = {0x12, 0, 0, 0, 36, 0};

    @TempDir
    static Path dir;
    static E2eServer server;

    @BeforeAll
    static void start() throws Exception {
        List<String> portal = List.of(E2eServer.EPHEMERAL);
        server = E2eServer.builder(dir).ram("ram0", 16 * MIB, 512)
                .target(new TargetConfig(ONE_WAY, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "ram0")),
                        List.of(), new ChapConfig("alice", "alicesecret1")))
                .target(new TargetConfig(MUTUAL, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "ram0")),
                        List.of(), new ChapConfig("carol", "carolsecret1", "xtarget", "targetsecret")))
                // No target-wide secrets: bob has his own, plain logs in without CHAP.
                .target(new TargetConfig(ACL, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "ram0")),
                        List.of(new AclConfig(BOB, null, new ChapConfig("bob", "bobsecret1234")),
                                new AclConfig(PLAIN, null)), null))
                // Many failed logins from one name and address: the login throttle (LoginThrottleE2eTest) at 1-5 ms.
                .limits(LimitsConfig.NONE.withLoginBackoff(1, 5))
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static InitiatorOptions as(String initiator) {
        return InitiatorOptions.defaults().withInitiatorName(initiator);
    }

    static IscsiSession open(String target, InitiatorOptions o) throws Exception {
        return IscsiSession.open(IscsiUrl.parse(server.url(target, 0)), o);
    }

    /** INQUIRY works on the session: the login really reached full feature phase. */
    static void assertUsable(IscsiSession s) throws Exception {
        CommandResult r = s.execute(0, INQUIRY, null, 36);
        assertThat(r.status()).isZero();
        byte[] vendor = new byte[7];
        r.data().duplicate().position(8).get(vendor);
        assertThat(new String(vendor, StandardCharsets.US_ASCII)).isEqualTo("XTARGET");
    }

    static void assertAuthenticationFailure(ThrowingOpen open) {
        assertThatThrownBy(open::run).isInstanceOfSatisfying(LoginException.class, e -> {
            assertThat(e.statusClass()).isEqualTo(2);
            assertThat(e.statusDetail()).isEqualTo(1);
        });
    }

    interface ThrowingOpen {
        void run() throws Exception;
    }

    @Test
    void theRightSecretLogsIn() throws Exception {
        try (IscsiSession s = open(ONE_WAY, as(HOST).withChap("alice", "alicesecret1"))) {
            assertUsable(s);
            s.logout();
        }
    }

    @Test
    void aWrongSecretAWrongUserOrNoChapIsAnAuthenticationFailure() {
        assertAuthenticationFailure(() -> open(ONE_WAY, as(HOST).withChap("alice", "alicesecret2")).close());
        assertAuthenticationFailure(() -> open(ONE_WAY, as(HOST).withChap("mallory", "alicesecret1")).close());
        assertAuthenticationFailure(() -> open(ONE_WAY, as(HOST)).close());
        assertAuthenticationFailure(() -> open(ONE_WAY, as(HOST).withSecurityStage(false)).close());
    }

    @Test
    void credentialsInTheUrlAreUsed() throws Exception {
        String url = server.url(ONE_WAY, 0).replace("iscsi://", "iscsi://alice%alicesecret1@");
        try (IscsiSession s = IscsiSession.open(IscsiUrl.parse(url), as(HOST))) {
            assertUsable(s);
        }
    }

    @Test
    void mutualChapAuthenticatesTheTargetToo() throws Exception {
        try (IscsiSession s = open(MUTUAL, as(HOST).withChap("carol", "carolsecret1")
                .withMutualChap("xtarget", "targetsecret"))) {
            assertUsable(s);
        }
        // One-way CHAP to a target that could do mutual is the initiator's choice.
        try (IscsiSession s = open(MUTUAL, as(HOST).withChap("carol", "carolsecret1"))) {
            assertUsable(s);
        }
    }

    @Test
    void theInitiatorDetectsATargetWithTheWrongMutualSecret() {
        assertThatThrownBy(() -> open(MUTUAL, as(HOST).withChap("carol", "carolsecret1")
                .withMutualChap("xtarget", "notthesecret")).close())
                .isInstanceOf(LoginException.class).hasMessageContaining("failed mutual CHAP");
        assertThatThrownBy(() -> open(MUTUAL, as(HOST).withChap("carol", "carolsecret1")
                .withMutualChap("impostor", "targetsecret")).close())
                .isInstanceOf(LoginException.class).hasMessageContaining("failed mutual CHAP");
    }

    @Test
    void mutualChapIsRefusedWhereTheTargetHasNoMutualSecret() {
        assertAuthenticationFailure(() -> open(ONE_WAY, as(HOST).withChap("alice", "alicesecret1")
                .withMutualChap("xtarget", "targetsecret")).close());
    }

    @Test
    void aclEntriesHaveTheirOwnSecrets() throws Exception {
        try (IscsiSession s = open(ACL, as(BOB).withChap("bob", "bobsecret1234"))) {
            assertUsable(s);
        }
        assertAuthenticationFailure(() -> open(ACL, as(BOB)).close());
        try (IscsiSession s = open(ACL, as(PLAIN))) {
            assertUsable(s);
        }
        // CHAP offered alone to an initiator that has no secrets here: no common AuthMethod.
        assertAuthenticationFailure(() -> open(ACL, as(PLAIN).withChap("bob", "bobsecret1234")).close());
    }

    @Test
    void discoveryNeedsNoSecrets() throws Exception {
        for (InitiatorOptions o : List.of(as(HOST), as(HOST).withChap("alice", "alicesecret1"))) {
            List<DiscoveredTarget> targets = IscsiSession.discover(server.host(), server.port(), o);
            assertThat(targets).extracting(DiscoveredTarget::name).contains(ONE_WAY, MUTUAL);
        }
    }

    // ---- libiscsi, a second initiator implementation ----

    static String libiscsiUrl(String target, String credentials, String args) {
        return server.url(target, 0).replace("iscsi://", "iscsi://" + credentials + "@") + args;
    }

    static Tool.Result inq(String url) throws Exception {
        return Tool.run("iscsi-inq", "-i", HOST, url);
    }

    @Test
    void libiscsiLogsInWithTheRightSecretOnly() throws Exception {
        Tool.assumeInstalled("iscsi-inq");
        Tool.Result ok = inq(libiscsiUrl(ONE_WAY, "alice%alicesecret1", ""));
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).containsPattern("(?m)^Vendor:XTARGET\\s*$");

        Tool.Result wrong = inq(libiscsiUrl(ONE_WAY, "alice%alicesecret2", ""));
        assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
        assertThat(wrong.output()).containsIgnoringCase("Authentication failure");

        Tool.Result none = inq(server.url(ONE_WAY, 0));
        assertThat(none.exitCode()).as(none.output()).isNotZero();
        assertThat(none.output()).containsIgnoringCase("Authentication failure");
    }

    @Test
    void libiscsiMutualChap() throws Exception {
        Tool.assumeInstalled("iscsi-inq");
        Tool.Result ok = inq(libiscsiUrl(MUTUAL, "carol%carolsecret1",
                "?target_user=xtarget&target_password=targetsecret"));
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).containsPattern("(?m)^Vendor:XTARGET\\s*$");

        // libiscsi checks our CHAP_R against the secret it was given: a mismatch fails its login.
        Tool.Result wrong = inq(libiscsiUrl(MUTUAL, "carol%carolsecret1",
                "?target_user=xtarget&target_password=notthesecret"));
        assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
        assertThat(wrong.output()).contains("Invalid CHAP_R");
    }

    @Test
    void libiscsiDiscoveryWithCredentialsGetsNone() throws Exception {
        Tool.assumeInstalled("iscsi-ls");
        Tool.Result r = Tool.run("iscsi-ls", "-i", HOST, "iscsi://alice%alicesecret1@" + server.host() + ":"
                + server.port());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(ONE_WAY, MUTUAL);
    }
}
