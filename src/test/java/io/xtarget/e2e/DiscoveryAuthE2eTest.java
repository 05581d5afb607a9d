package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.DiscoveredTarget;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.LoginException;
import io.xtarget.scsi.CopyAccessPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHAP on discovery sessions over real logins: with the config's {@code discoveryAuth} a
 * SendTargets needs a CHAP login (RFC 7143 12.1), one-way or mutual; anything else is refused
 * with 0201 (11.13.5) before a target name is sent. Checked with the project initiator and with
 * libiscsi's {@code iscsi-ls} ({@code iscsi://USER%SECRET@HOST:PORT}, mutual with
 * {@code ?target_user=...&target_password=...}); a reload turns it on and off.
 */
@Timeout(120)
class DiscoveryAuthE2eTest {
    static final String OPEN = "iqn.2026-11.io.xtarget:disc-open";
    static final String CHAP = "iqn.2026-11.io.xtarget:disc-chap";
    static final String ONLY_HOST = "iqn.2026-11.io.xtarget:disc-acl";
    static final String HOST = "iqn.2026-11.io.example:host";
    static final String OTHER = "iqn.2026-11.io.example:other";
    static final ChapConfig DISCOVERY = new ChapConfig("disc", "discsecret12", "xtarget", "targetsecret");

    @TempDir
    static Path dir;
    static E2eServer server;

    @TempDir
    Path reloadDir;

    static E2eServer.Builder layout(Path where) {
        List<String> portal = List.of(E2eServer.EPHEMERAL);
        return E2eServer.builder(where).ram("ram0", 8 * MIB, 512)
                .target(OPEN, portal, List.of(rw(0, "ram0")))
                .target(new TargetConfig(CHAP, portal, CopyAccessPolicy.INITIATOR, List.of(rw(0, "ram0")),
                        List.of(), new ChapConfig("alice", "alicesecret1")))
                .target(ONLY_HOST, portal, List.of(rw(0, "ram0")), List.of(new AclConfig(HOST, null)));
    }

    @BeforeAll
    static void start() throws Exception {
        server = layout(dir).discoveryAuth(DISCOVERY).start();
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

    static List<String> names(E2eServer s, InitiatorOptions o) throws Exception {
        return IscsiSession.discover(s.host(), s.port(), o).stream().map(DiscoveredTarget::name).toList();
    }

    static void assertAuthenticationFailure(E2eServer s, InitiatorOptions o) {
        assertThatThrownBy(() -> names(s, o)).isInstanceOfSatisfying(LoginException.class, e -> {
            assertThat(e.statusClass()).isEqualTo(2);
            assertThat(e.statusDetail()).as("authentication failure").isEqualTo(1);
        });
    }

    @Test
    void theDiscoverySecretListsTheTargetsTheAclsAdmit() throws Exception {
        assertThat(names(server, as(HOST).withChap("disc", "discsecret12"))).containsExactly(OPEN, CHAP, ONLY_HOST);
        assertThat(names(server, as(OTHER).withChap("disc", "discsecret12"))).containsExactly(OPEN, CHAP);
    }

    @Test
    void noSecretAWrongSecretOrATargetSecretIsRefused() {
        assertAuthenticationFailure(server, as(HOST));
        assertAuthenticationFailure(server, as(HOST).withChap("disc", "discsecret13"));
        assertAuthenticationFailure(server, as(HOST).withChap("someone", "discsecret12"));
        assertAuthenticationFailure(server, as(HOST).withChap("alice", "alicesecret1"));
        assertAuthenticationFailure(server, as(HOST).withSecurityStage(false));
    }

    @Test
    void mutualChapAuthenticatesTheTargetToo() throws Exception {
        assertThat(names(server, as(HOST).withChap("disc", "discsecret12").withMutualChap("xtarget", "targetsecret")))
                .containsExactly(OPEN, CHAP, ONLY_HOST);
        assertThatThrownBy(() -> names(server, as(HOST).withChap("disc", "discsecret12")
                .withMutualChap("xtarget", "notthesecret")))
                .isInstanceOf(LoginException.class).hasMessageContaining("failed mutual CHAP");
    }

    @Test
    void loginsToTargetsKeepTheirOwnRules() throws Exception {
        try (IscsiSession s = IscsiSession.open(server.host(), server.port(), OPEN, as(HOST))) {
            s.nop();
        }
        try (IscsiSession s = IscsiSession.open(server.host(), server.port(), CHAP,
                as(HOST).withChap("alice", "alicesecret1"))) {
            s.nop();
        }
        assertThatThrownBy(() -> IscsiSession.open(server.host(), server.port(), CHAP,
                as(HOST).withChap("disc", "discsecret12")).close())
                .isInstanceOfSatisfying(LoginException.class, e -> assertThat(e.statusDetail()).isEqualTo(1));
    }

    @Test
    void aReloadTurnsDiscoveryAuthOnAndOff() throws Exception {
        try (E2eServer s = layout(reloadDir).start()) {
            assertThat(names(s, as(HOST))).containsExactly(OPEN, CHAP, ONLY_HOST);
            // As 'xtarget discovery-auth set' and SIGHUP do: save the file, load it, reload.
            ConfigStore.save(s.configFile(), s.config().withDiscoveryAuth(new ChapConfig("disc", "discsecret12")));
            s.server().reload(ConfigStore.load(s.configFile()));
            assertAuthenticationFailure(s, as(HOST));
            assertThat(names(s, as(HOST).withChap("disc", "discsecret12"))).containsExactly(OPEN, CHAP, ONLY_HOST);
            try (IscsiSession open = IscsiSession.open(s.host(), s.port(), OPEN, as(HOST))) {
                open.nop();
            }
            ConfigStore.save(s.configFile(), s.config().withDiscoveryAuth(null));
            s.server().reload(ConfigStore.load(s.configFile()));
            assertThat(names(s, as(HOST))).containsExactly(OPEN, CHAP, ONLY_HOST);
        }
    }

    // ---- libiscsi's iscsi-ls, a second initiator implementation ----

    static Tool.Result iscsiLs(String credentials, String args) throws Exception {
        String at = credentials.isEmpty() ? "" : credentials + "@";
        return Tool.run("iscsi-ls", "-i", HOST, "iscsi://" + at + server.host() + ":" + server.port() + args);
    }

    @Test
    void iscsiLsListsTargetsWithTheRightSecretOnly() throws Exception {
        Tool.assumeInstalled("iscsi-ls");
        Tool.Result ok = iscsiLs("disc%discsecret12", "");
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("Target:" + OPEN, "Target:" + CHAP, "Target:" + ONLY_HOST);

        for (String credentials : List.of("disc%discsecret13", "", "alice%alicesecret1")) {
            Tool.Result refused = iscsiLs(credentials, "");
            assertThat(refused.exitCode()).as(credentials + ": " + refused.output()).isNotZero();
            assertThat(refused.output()).as(credentials).contains("Authentication failure")
                    .doesNotContain(OPEN, CHAP, ONLY_HOST).doesNotContain("Target:");
        }
    }

    @Test
    void iscsiLsMutualChap() throws Exception {
        Tool.assumeInstalled("iscsi-ls");
        Tool.Result ok = iscsiLs("disc%discsecret12", "?target_user=xtarget&target_password=targetsecret");
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("Target:" + OPEN, "Target:" + CHAP, "Target:" + ONLY_HOST);

        // libiscsi checks our CHAP_R against the secret it was given: a mismatch fails its login.
        Tool.Result wrong = iscsiLs("disc%discsecret12", "?target_user=xtarget&target_password=notthesecret");
        assertThat(wrong.exitCode()).as(wrong.output()).isNotZero();
        assertThat(wrong.output()).contains("Invalid CHAP_R").doesNotContain("Target:");
    }
}
