package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.SenseData;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A removable RAM LU served over iSCSI: PREVENT ALLOW MEDIUM REMOVAL ends with LUN reset, target
 * warm reset and logout (what libiscsi's PreventAllow suite checks), INQUIRY reports RMB=1.
 */
class RemovableMediumEndToEndTest {
    static final String IQN = "iqn.2026-11.io.xtarget:removable-e2e";
    static final byte[] TUR = new byte[6];
    static final byte[] EJECT = {0x1B, 0, 0, 0, 0x02, 0};
    static final byte[] LOAD = {0x1B, 0, 0, 0, 0x03, 0};
    static final byte[] PREVENT = {0x1E, 0, 0, 0, 1, 0};
    static final byte[] ALLOW = {0x1E, 0, 0, 0, 0, 0};

    @TempDir
    static Path dir;
    static XtargetServer server;
    static String url;

    @BeforeAll
    static void start() throws IOException {
        ServerConfig cfg = new ServerConfig(
                List.of(new BackstoreConfig("rm0", BackstoreType.RAM, null, 4L << 20, 512, null, null, true)),
                List.of(new TargetConfig(IQN, List.of("127.0.0.1:0"), CopyAccessPolicy.INITIATOR,
                        List.of(new LunConfig(0, "rm0", false)), List.of())));
        server = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults());
        InetSocketAddress a = server.boundAddresses().getFirst();
        url = "iscsi://127.0.0.1:" + a.getPort() + "/" + IQN + "/0";
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Leaves the medium loaded and unlocked for the next test, whatever this one did. */
    @AfterEach
    void reloadMedium() {
        server.units().getFirst().medium().clearPreventions();
        try (IscsiSession s = open("iqn.2026-11.io.xtarget:cleanup")) {
            assertThat(run(s, LOAD).status()).isZero();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static IscsiSession open(String initiator) throws IOException {
        return IscsiSession.open(IscsiUrl.parse(url), InitiatorOptions.defaults().withInitiatorName(initiator));
    }

    /** Runs a command, retrying once per unit attention (new initiator ports first see POWER ON). */
    static CommandResult run(IscsiSession s, byte[] cdb) throws IOException {
        CommandResult r = s.execute(0, cdb, null, 255);
        for (int i = 0; i < 3 && senseKey(r) == 6; i++) {
            r = s.execute(0, cdb, null, 255);
        }
        return r;
    }

    static int senseKey(CommandResult r) {
        return r.senseData().map(SenseData::senseKey).orElse(-1);
    }

    static String asc(CommandResult r) {
        return r.senseData().map(d -> String.format("%x/%02x/%02x", d.senseKey(), d.asc(), d.ascq())).orElse("none");
    }

    @Test
    void inquiryReportsRmb() throws IOException {
        try (IscsiSession s = open("iqn.2026-11.io.xtarget:inq")) {
            CommandResult r = run(s, new byte[] {0x12, 0, 0, 0, 36, 0});
            assertThat(r.dataBytes()[1] & 0xFF).isEqualTo(0x80);
        }
    }

    @Test
    void lunResetEndsThePrevention() throws IOException {
        try (IscsiSession s = open("iqn.2026-11.io.xtarget:a")) {
            assertThat(run(s, PREVENT).status()).isZero();
            assertThat(asc(run(s, EJECT))).isEqualTo("5/53/02");
            assertThat(s.lunReset(0)).isZero();
            assertThat(run(s, EJECT).status()).isZero(); // after the LUN RESET unit attention
            assertThat(asc(run(s, TUR))).isEqualTo("2/3a/00");
            assertThat(run(s, LOAD).status()).isZero();
            assertThat(run(s, TUR).status()).isZero();
        }
    }

    @Test
    void targetWarmResetEndsThePrevention() throws IOException {
        try (IscsiSession s = open("iqn.2026-11.io.xtarget:a")) {
            assertThat(run(s, PREVENT).status()).isZero();
            assertThat(s.targetWarmReset()).isZero();
        }
        try (IscsiSession s = open("iqn.2026-11.io.xtarget:a")) {
            assertThat(run(s, EJECT).status()).isZero();
        }
    }

    @Test
    void aSecondNexusIsLockedOutUntilTheFirstLogsOut() throws IOException {
        IscsiSession first = open("iqn.2026-11.io.xtarget:first");
        try (IscsiSession second = open("iqn.2026-11.io.xtarget:second")) {
            assertThat(run(first, PREVENT).status()).isZero();
            assertThat(asc(run(second, EJECT))).isEqualTo("5/53/02");
            assertThat(run(second, ALLOW).status()).isZero(); // only its own prevention (none)
            assertThat(asc(run(second, EJECT))).isEqualTo("5/53/02");
            first.logout();
            awaitSessions(1);
            CommandResult eject = run(second, EJECT);
            assertThat(eject.status()).as(asc(eject)).isZero();
        } finally {
            first.close();
        }
    }

    /** The server forgets a logged-out session right after answering the logout. */
    static void awaitSessions(int n) {
        for (int i = 0; i < 500 && server.sessionCount() > n; i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertThat(server.sessionCount()).isEqualTo(n);
    }
}
