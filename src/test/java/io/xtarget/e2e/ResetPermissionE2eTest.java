package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.ro;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resets by permission over real sessions: LOGICAL UNIT RESET and TARGET WARM/COLD RESET reach
 * every initiator of the LU or target, so a host with a read-only mapping gets "Function
 * authorization failed" (RFC 7143 11.6.1, response 6) and nothing changes for the others, while a
 * read-write host may reset; an ACL's {@code "resets"} overrides that, also through a reload.
 */
@Timeout(60)
class ResetPermissionE2eTest {
    static final String TARGET = E2eServer.TARGET;
    static final String DEMO_RO = "iqn.2026-11.io.xtarget:e2e-demo-ro";
    static final String RW = "iqn.2026-11.io.example:reset-rw";
    static final String RO = "iqn.2026-11.io.example:reset-ro";
    static final String RO_ALLOWED = "iqn.2026-11.io.example:reset-ro-allowed";
    static final String RW_REFUSED = "iqn.2026-11.io.example:reset-rw-refused";
    static final int LUN = 0;
    static final int REFUSED = TaskMgmtResponse.AUTHORIZATION_FAILED;
    static final int DONE = TaskMgmtResponse.COMPLETE;

    @TempDir
    Path dir;
    E2eServer server;
    GatedStore gate;

    @BeforeEach
    void start() throws Exception {
        List<String> portal = List.of(E2eServer.EPHEMERAL);
        server = E2eServer.builder(dir).ram("ram0", 16 * MIB, 512)
                .wrap((name, store) -> name.equals("ram0") ? (gate = new GatedStore(store)) : store)
                .target(TARGET, portal, List.of(), List.of(
                        new AclConfig(RW, List.of(rw(LUN, "ram0"))),
                        new AclConfig(RO, List.of(ro(LUN, "ram0"))),
                        new AclConfig(RO_ALLOWED, List.of(ro(LUN, "ram0")), null, true),
                        new AclConfig(RW_REFUSED, List.of(rw(LUN, "ram0")), null, false)))
                .target(DEMO_RO, portal, List.of(ro(LUN, "ram0")))
                .start();
    }

    @AfterEach
    void stop() {
        gate.open();
        server.close();
    }

    IscsiSession open(String target, String who) throws Exception {
        IscsiSession s = Scsi.open(server.url(target, LUN), Scsi.options(who)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)));
        Scsi.clearUnitAttentions(s, LUN);
        return s;
    }

    IscsiSession open(String who) throws Exception {
        return open(TARGET, who);
    }

    static final byte[] RESERVE6 = {0x16, 0, 0, 0, 0, 0};

    static int status(IscsiSession s, byte[] cdb) throws IOException {
        return s.execute(LUN, cdb, null, cdb[0] == 0x28 ? 512 : 0).status();
    }

    static void write(IscsiSession s, long lba, byte[] block) throws IOException {
        Scsi.write(s, LUN, lba, block, 512);
        assertThat(Scsi.read(s, LUN, lba, 512, 512)).isEqualTo(block);
    }

    /** Every reset from the host, answered {@code response} each time. */
    static void assertResets(IscsiSession s, int response) throws IOException {
        assertThat(s.lunReset(LUN)).as("LUN RESET").isEqualTo(response);
        assertThat(s.targetWarmReset()).as("TARGET WARM RESET").isEqualTo(response);
        assertThat(s.targetColdReset()).as("TARGET COLD RESET").isEqualTo(response);
    }

    static void assertDropped(IscsiSession s) {
        assertThatThrownBy(() -> {
            for (int i = 0; i < 50; i++) { // the drop follows the cold reset's response
                s.execute(LUN, Scsi.testUnitReady(), null, 0);
                Thread.sleep(20);
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void aReadOnlyHostIsRefusedEveryResetAndNothingChangesForTheReadWriteHost() throws Exception {
        try (IscsiSession writer = open(RW); IscsiSession reader = open(RO)) {
            assertThat(status(writer, RESERVE6)).as("SPC-2 RESERVE").isEqualTo(CommandResult.GOOD);
            write(writer, 10, Scsi.random(512, 1));
            gate.shut();
            byte[] pendingBlock = Scsi.random(512, 2);
            CompletableFuture<CommandResult> pending = writer.submit(LUN, Scsi.write10(11, 1),
                    ByteBuffer.wrap(pendingBlock), 0);
            gate.awaitFirstWrite();

            assertResets(reader, REFUSED);

            assertThat(pending).as("the writer's command in flight is not aborted").isNotDone();
            gate.open();
            assertThat(pending.get(10, TimeUnit.SECONDS).status()).isEqualTo(CommandResult.GOOD);
            assertThat(status(writer, Scsi.testUnitReady())).as("no reset unit attention").isEqualTo(CommandResult.GOOD);
            assertThat(Scsi.read(writer, LUN, 11, 512, 512)).isEqualTo(pendingBlock);
            write(writer, 12, Scsi.random(512, 3));
            assertThat(status(reader, Scsi.read10(10, 1))).as("the writer's reservation still holds")
                    .isEqualTo(CommandResult.RESERVATION_CONFLICT);
            reader.nop();
            assertThat(writer.isOpen()).isTrue();
        }
    }

    @Test
    void aReadWriteHostMayResetTheLuAndTheTarget() throws Exception {
        try (IscsiSession writer = open(RW); IscsiSession reader = open(RO)) {
            assertThat(status(writer, RESERVE6)).isEqualTo(CommandResult.GOOD);
            assertThat(writer.lunReset(LUN)).isEqualTo(DONE);
            CommandResult r = reader.execute(LUN, Scsi.testUnitReady(), null, 0);
            assertThat(Scsi.sense(r).asc()).as("the other host saw the LUN reset: %s", r).isEqualTo(0x29);
            assertThat(status(reader, Scsi.read10(10, 1))).as("the reset released the reservation")
                    .isEqualTo(CommandResult.GOOD);
            Scsi.clearUnitAttentions(writer, LUN);

            assertThat(writer.targetWarmReset()).isEqualTo(DONE);
            assertThat(Scsi.sense(reader.execute(LUN, Scsi.testUnitReady(), null, 0)).asc()).isEqualTo(0x29);

            assertThat(writer.targetColdReset()).isEqualTo(DONE);
            assertDropped(reader);
            assertDropped(writer);
        }
    }

    @Test
    void anAclsResetsSettingOverridesTheDefault() throws Exception {
        try (IscsiSession refused = open(RW_REFUSED); IscsiSession other = open(RO)) {
            assertResets(refused, REFUSED);
            write(refused, 20, Scsi.random(512, 4)); // still a read-write host
            assertThat(status(other, Scsi.testUnitReady())).isEqualTo(CommandResult.GOOD);
        }
        try (IscsiSession allowed = open(RO_ALLOWED); IscsiSession other = open(RW)) {
            assertThat(allowed.lunReset(LUN)).isEqualTo(DONE);
            assertThat(Scsi.sense(other.execute(LUN, Scsi.testUnitReady(), null, 0)).asc()).isEqualTo(0x29);
            assertThat(allowed.targetWarmReset()).isEqualTo(DONE);
            assertThat(allowed.targetColdReset()).isEqualTo(DONE);
            assertDropped(other);
        }
    }

    @Test
    void aDemoModeTargetFollowsTheDefaultRule() throws Exception {
        try (IscsiSession anyone = open(DEMO_RO, "iqn.2026-11.io.example:anyone")) {
            assertResets(anyone, REFUSED);
            anyone.nop();
        }
    }

    /** REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.41) tells what the LU supports, the same to every host. */
    @Test
    void resetsStayReportedAsSupported() throws Exception {
        byte[] cdb = {(byte) 0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0};
        try (IscsiSession reader = open(RO)) {
            byte[] d = Scsi.good(reader, LUN, cdb, null, 4);
            assertThat(d[0] & 0x08).as("LURS").isNotZero();
            assertThat(d[0] & 0x02).as("TRS").isNotZero();
        }
    }

    @Test
    void aReloadChangesTheGrantOfLiveSessions() throws Exception {
        try (IscsiSession reader = open(RO); IscsiSession writer = open(RW)) {
            assertThat(reader.lunReset(LUN)).isEqualTo(REFUSED);
            ServerConfig c = server.config();
            TargetConfig t = c.target(TARGET);
            List<AclConfig> acls = t.acls().stream().map(a -> switch (a.initiator()) {
                case RO -> a.withResets(true);
                case RW -> a.withResets(false);
                default -> a;
            }).toList();
            List<TargetConfig> targets = c.targets().stream().map(x -> x == t ? t.withAcls(acls) : x).toList();
            server.server().reload(c.withTargets(targets));

            assertThat(writer.targetWarmReset()).as("now refused").isEqualTo(REFUSED);
            assertThat(status(writer, Scsi.testUnitReady())).as("no unit attention from the reload")
                    .isEqualTo(CommandResult.GOOD);
            assertThat(reader.lunReset(LUN)).as("now allowed").isEqualTo(DONE);
            assertThat(Scsi.sense(writer.execute(LUN, Scsi.testUnitReady(), null, 0)).asc()).isEqualTo(0x29);
        }
    }
}
