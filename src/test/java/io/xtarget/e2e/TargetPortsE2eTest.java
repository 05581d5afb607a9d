package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.DiscoveredTarget;
import io.xtarget.initiator.IscsiSession;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One LU exported by two targets on two portals (the multipath case): the LU identity is the
 * same, the target ports are not. SPC-4 7.8.6.5: relative target port identifiers are unique
 * within the target device; REPORT TARGET PORT GROUPS (6.36) lists the same ports.
 */
@Timeout(120)
class TargetPortsE2eTest {
    static final String T1 = "iqn.2026-11.io.xtarget:path-a";
    static final String T2 = "iqn.2026-11.io.xtarget:path-b";

    @Test
    void twoTargetsOnTwoPortalsHaveDistinctRelativePortsAndGroups(@TempDir Path dir) throws Exception {
        try (E2eServer server = E2eServer.builder(dir).ram("shared", 8 * MIB, 512)
                .target(T1, List.of(E2eServer.freePortal()), List.of(rw(0, "shared")))
                .target(T2, List.of(E2eServer.freePortal()), List.of(rw(0, "shared"))).start()) {
            InetSocketAddress a1 = server.address(T1, 0);
            InetSocketAddress a2 = server.address(T2, 0);
            assertThat(a1.getPort()).isNotEqualTo(a2.getPort());

            List<Scsi.Designator> d1;
            List<Scsi.Designator> d2;
            byte[] rtpg1;
            byte[] rtpg2;
            try (IscsiSession s1 = Scsi.open(server.url(T1, 0), Scsi.options("iqn.2026-11.io.xtarget:e2e-mp"));
                    IscsiSession s2 = Scsi.open(server.url(T2, 0), Scsi.options("iqn.2026-11.io.xtarget:e2e-mp"))) {
                d1 = Scsi.designators(Scsi.good(s1, 0, Scsi.vpd(0x83, 1024), null, 1024));
                d2 = Scsi.designators(Scsi.good(s2, 0, Scsi.vpd(0x83, 1024), null, 1024));
                rtpg1 = Scsi.good(s1, 0, Scsi.reportTargetPortGroups(1024), null, 1024);
                rtpg2 = Scsi.good(s2, 0, Scsi.reportTargetPortGroups(1024), null, 1024);
            }
            assertThat(Scsi.naaHex(d1)).isEqualTo(Scsi.naaHex(d2)).isEqualTo(server.naa("shared"));
            int rel1 = Scsi.relativePortId(d1);
            int rel2 = Scsi.relativePortId(d2);
            assertThat(rel1).isNotEqualTo(rel2);
            assertThat(List.of(rel1, rel2)).allMatch(r -> r > 0);
            int g1 = Scsi.targetPortGroup(d1);
            int g2 = Scsi.targetPortGroup(d2);
            assertThat(g1).isNotEqualTo(g2);

            assertThat(rtpg1).isEqualTo(rtpg2);
            List<Scsi.PortGroup> groups = Scsi.portGroups(rtpg1);
            assertThat(groups).extracting(Scsi.PortGroup::id).containsExactlyInAnyOrder(g1, g2);
            assertThat(groups).allMatch(g -> g.asymmetricAccessState() == 0); // active/optimized
            assertThat(groups.stream().filter(g -> g.id() == g1).findFirst().orElseThrow().relativePortIds())
                    .containsExactly(rel1);
            assertThat(groups.stream().filter(g -> g.id() == g2).findFirst().orElseThrow().relativePortIds())
                    .containsExactly(rel2);

            // SendTargets names each target with the port it really listens on.
            List<DiscoveredTarget> found = IscsiSession.discover(a1.getHostString(), a1.getPort(),
                    Scsi.options("iqn.2026-11.io.xtarget:e2e-mp"));
            assertThat(found).extracting(DiscoveredTarget::name).containsExactly(T1, T2);
            assertThat(found.get(0).addresses()).containsExactly("127.0.0.1:" + a1.getPort() + ",1");
            assertThat(found.get(1).addresses()).containsExactly("127.0.0.1:" + a2.getPort() + ",1");
        }
    }
}
