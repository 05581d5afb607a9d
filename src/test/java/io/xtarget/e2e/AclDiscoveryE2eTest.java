package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.ro;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.config.AclConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.DiscoveredTarget;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.LoginException;
import io.xtarget.initiator.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access control over real logins: ACLs admit only listed initiators (RFC 7143 11.13.5 status
 * 02/02 otherwise), SendTargets shows each initiator only what it may log in to, each ACL entry
 * has its own LUN numbers, and a read-only mapping refuses writes with DATA PROTECT.
 */
@Timeout(120)
class AclDiscoveryE2eTest {
    static final String ACL = "iqn.2026-11.io.xtarget:acl";
    static final String OPEN = "iqn.2026-11.io.xtarget:open";
    static final String ONLY2 = "iqn.2026-11.io.xtarget:only2";
    static final String INIT1 = "iqn.2026-11.io.example:host1";
    static final String INIT2 = "iqn.2026-11.io.example:host2";
    static final String OUTSIDER = "iqn.2026-11.io.example:outsider";

    @TempDir
    static Path dir;
    static E2eServer server;

    @BeforeAll
    static void start() throws Exception {
        List<String> portal = List.of(E2eServer.EPHEMERAL);
        server = E2eServer.builder(dir).ram("ramA", 16 * MIB, 512).ram("ramB", 16 * MIB, 512)
                .ram("ramC", 8 * MIB, 512)
                .target(ACL, portal, List.of(rw(0, "ramA"), rw(1, "ramB")),
                        List.of(new AclConfig(INIT1, null),
                                new AclConfig(INIT2, List.of(rw(5, "ramB"), ro(7, "ramA")))))
                .target(OPEN, portal, List.of(rw(0, "ramC")))
                .target(ONLY2, portal, List.of(rw(3, "ramC")), List.of(new AclConfig(INIT2, null)))
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static IscsiSession open(String target, String initiator) throws Exception {
        return IscsiSession.open(server.host(), server.port(), target, Scsi.options(initiator));
    }

    @Test
    void aclAdmitsOnlyListedInitiators() throws Exception {
        for (String who : List.of(INIT1, INIT2)) {
            try (IscsiSession s = open(ACL, who)) {
                s.nop();
            }
        }
        assertThatThrownBy(() -> open(ACL, OUTSIDER)).isInstanceOfSatisfying(LoginException.class, e -> {
            assertThat(e.statusClass()).isEqualTo(2);
            assertThat(e.statusDetail()).as("authorization failure").isEqualTo(2);
        });
        assertThatThrownBy(() -> open(ONLY2, INIT1)).isInstanceOfSatisfying(LoginException.class,
                e -> assertThat(e.statusDetail()).isEqualTo(2));
        try (IscsiSession s = open(OPEN, OUTSIDER)) {
            s.nop();
        }
    }

    @Test
    void unknownTargetIsNotFound() {
        assertThatThrownBy(() -> open("iqn.2026-11.io.xtarget:no-such-target", INIT1))
                .isInstanceOfSatisfying(LoginException.class, e -> {
                    assertThat(e.statusClass()).isEqualTo(2);
                    assertThat(e.statusDetail()).as("target not found").isEqualTo(3);
                });
    }

    @Test
    void sendTargetsShowsOnlyTargetsTheInitiatorMayLogInTo() throws Exception {
        assertThat(names(INIT1)).containsExactly(ACL, OPEN);
        assertThat(names(INIT2)).containsExactly(ACL, OPEN, ONLY2);
        assertThat(names(OUTSIDER)).containsExactly(OPEN);
        DiscoveredTarget t = IscsiSession.discover(server.host(), server.port(), Scsi.options(INIT1)).getFirst();
        assertThat(t.addresses()).containsExactly("127.0.0.1:" + server.port() + ",1");
    }

    @Test
    void iscsiLsShowsEachInitiatorItsOwnTargetsAndLuns() throws Exception {
        Tool.assumeInstalled("iscsi-ls");
        Tool.Result outsider = Tool.run("iscsi-ls", "-s", "-i", OUTSIDER, server.portalUrl());
        assertThat(outsider.exitCode()).as(outsider.output()).isZero();
        assertThat(outsider.output()).contains("Target:" + OPEN).doesNotContain(ACL, ONLY2);
        Tool.Result two = Tool.run("iscsi-ls", "-s", "-i", INIT2, server.portalUrl());
        assertThat(two.exitCode()).as(two.output()).isZero();
        assertThat(two.output()).contains("Target:" + ACL, "Target:" + OPEN, "Target:" + ONLY2)
                .containsPattern("Lun:5\\s+Type:DIRECT_ACCESS").containsPattern("Lun:7\\s+Type:DIRECT_ACCESS")
                .containsPattern("Lun:3\\s+Type:DIRECT_ACCESS");
    }

    static List<String> names(String initiator) throws Exception {
        return IscsiSession.discover(server.host(), server.port(), Scsi.options(initiator)).stream()
                .map(DiscoveredTarget::name).toList();
    }

    @Test
    void eachAclEntrySeesItsOwnLunNumbersForTheSameUnits() throws Exception {
        byte[] a = Scsi.random(8192, 11);
        byte[] b = Scsi.random(8192, 12);
        try (IscsiSession one = open(ACL, INIT1); IscsiSession two = open(ACL, INIT2)) {
            assertThat(Scsi.lunList(Scsi.good(one, 0, Scsi.reportLuns(256), null, 256))).containsExactly(0, 1);
            assertThat(Scsi.lunList(Scsi.good(two, 5, Scsi.reportLuns(256), null, 256))).containsExactly(5, 7);
            Scsi.write(one, 0, 64, a, 512);
            Scsi.write(one, 1, 64, b, 512);
            // host2's LUN 7 is host1's LUN 0 (ramA), its LUN 5 is host1's LUN 1 (ramB).
            assertThat(Scsi.read(two, 7, 64, a.length, 512)).isEqualTo(a);
            assertThat(Scsi.read(two, 5, 64, b.length, 512)).isEqualTo(b);
            assertThat(naa(two, 7)).isEqualTo(naa(one, 0)).isEqualTo(server.naa("ramA"));
            assertThat(naa(two, 5)).isEqualTo(naa(one, 1)).isEqualTo(server.naa("ramB"));
            // A LUN outside host2's map: LOGICAL UNIT NOT SUPPORTED (SPC-4 5.x: 05/25/00).
            CommandResult none = Scsi.run(two, 0, Scsi.testUnitReady(), null, 0);
            SenseData sd = Scsi.sense(none);
            assertThat(sd.senseKey()).isEqualTo(5);
            assertThat(sd.asc()).isEqualTo(0x25);
        }
    }

    @Test
    void readOnlyMappingRefusesWritesWithDataProtect() throws Exception {
        try (IscsiSession two = open(ACL, INIT2)) {
            byte[] before = Scsi.read(two, 7, 200, 4096, 512);
            CommandResult w = Scsi.run(two, 7, Scsi.write10(200, 8), ByteBuffer.wrap(Scsi.random(4096, 5)), 0);
            SenseData sd = Scsi.sense(w);
            assertThat(sd.senseKey()).as("DATA PROTECT").isEqualTo(7);
            assertThat(sd.asc()).isEqualTo(0x27);
            assertThat(sd.ascq()).isZero();
            assertThat(Scsi.read(two, 7, 200, 4096, 512)).isEqualTo(before);
            // host2's read-write LUN 5 still takes writes; host1 writes ramA through its LUN 0.
            Scsi.write(two, 5, 200, Scsi.random(4096, 6), 512);
            try (IscsiSession one = open(ACL, INIT1)) {
                byte[] fresh = Scsi.random(4096, 7);
                Scsi.write(one, 0, 200, fresh, 512);
                assertThat(Scsi.read(two, 7, 200, 4096, 512)).isEqualTo(fresh);
            }
        }
    }

    static String naa(IscsiSession s, int lun) throws Exception {
        return Scsi.naaHex(Scsi.designators(Scsi.good(s, lun, Scsi.vpd(0x83, 1024), null, 1024)));
    }
}
