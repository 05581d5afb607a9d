package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.testing.HeapStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The iSCSI fabric's copy reachability rule ({@link IscsiServer#copyReaches}): a target that
 * demands CHAP secrets of the initiator is reachable by a copy only when the receiving target
 * demands the same ones, which the session proved at login.
 */
class CopyReachabilityTest {
    static final String HOST = "iqn.2026-11.io.example:host";
    static final ChapCredentials ALICE = new ChapCredentials("alice", "alicesecret1");
    static final ChapCredentials BOB = new ChapCredentials("bob", "bobsecret1234");

    final LunMap luns = LunMap.of(List.of(new LunMapping(0,
            new LogicalUnit("ram0", new HeapStore(512, 64), new byte[] {0x60, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
                    "s", false), false)));
    final Target open = target("iqn.2026-11.io.xtarget:open", 1);
    final Target alice = target("iqn.2026-11.io.xtarget:alice", 2);
    final Target alsoAlice = target("iqn.2026-11.io.xtarget:also-alice", 3);
    final Target bobOnly = target("iqn.2026-11.io.xtarget:bob-acl", 4);

    Target target(String name, int port) {
        return new Target(name, List.of(IscsiPorts.targetPort(name, 1, port, port, "127.0.0.1:0")), luns, Map.of(),
                CopyAccessPolicy.INITIATOR);
    }

    final IscsiServer server = new IscsiServer(
            new ScsiCore(OpcodeTable.builder().build(), List.of(open, alice, alsoAlice, bobOnly)),
            IscsiServer.Options.defaults(),
            Map.of(alice.name(), new IscsiTargetSecurity(ALICE, Map.of()),
                    // target-wide nothing, but this initiator's ACL entry has its own secrets
                    bobOnly.name(), new IscsiTargetSecurity(null, Map.of(HOST, BOB)),
                    alsoAlice.name().toUpperCase(), new IscsiTargetSecurity(ALICE, Map.of())));

    Nexus on(Target receiving) {
        return IscsiPorts.nexus(HOST, 0x400000000001L, receiving.ports().getFirst());
    }

    @Test
    void aTargetWithoutSecretsIsReachableFromAnySession() {
        for (Target receiving : List.of(open, alice, bobOnly)) {
            assertThat(server.copyReaches(on(receiving), open)).as(receiving.name()).isTrue();
        }
    }

    @Test
    void aGuardedTargetNeedsTheSameSecretsProvenOnTheReceivingTarget() {
        assertThat(server.copyReaches(on(open), alice)).as("no CHAP proven").isFalse();
        assertThat(server.copyReaches(on(bobOnly), alice)).as("other secrets proven").isFalse();
        assertThat(server.copyReaches(on(alsoAlice), alice)).as("the same secrets proven").isTrue();
        assertThat(server.copyReaches(on(alice), alice)).as("the receiving target itself").isTrue();
    }

    @Test
    void anAclEntrysOwnSecretsCountPerInitiator() {
        assertThat(server.copyReaches(on(open), bobOnly)).isFalse();
        assertThat(server.copyReaches(on(alice), bobOnly)).isFalse();
        Nexus other = IscsiPorts.nexus("iqn.2026-11.io.example:other", 1, open.ports().getFirst());
        assertThat(server.copyReaches(other, bobOnly)).as("no secrets demanded of this initiator").isTrue();
    }

    @Test
    void theRuleTravelsWithTheNexusesOfTheFabric() {
        Nexus n = new SessionRegistry(server::copyReaches).establish(false, HOST, 0x400000000001L, open,
                open.ports().getFirst(), luns, null, 1).nexus;
        assertThat(n).isEqualTo(on(open));
        assertThat(n.copyReachability().reaches(n, alice)).isFalse();
        assertThat(n.copyReachability().reaches(n, open)).isTrue();
    }
}
