package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.ConfigParser;
import io.xtarget.config.ServerConfig;
import io.xtarget.server.XtargetServer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The config's "vhost" list served by {@link XtargetServer}: start, reload, stop. */
class VhostServerTest {
    @TempDir
    Path dir;

    ServerConfig config(String vhost) {
        return ConfigParser.parse("""
                {"backstores": [{"name": "disk1", "type": "ram", "size": "4M", "naa": "60a58540123456789abcdef000000001"},
                                {"name": "disk2", "type": "ram", "size": "4M", "naa": "60a58540123456789abcdef000000002"}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:t1", "portals": ["127.0.0.1:0", "127.0.0.2:0"],
                              "luns": [{"lun": 0, "backstore": "disk1"}]}],
                 "vhost": %s}
                """.formatted(vhost));
    }

    @Test
    void servesReloadsAndStops() throws Exception {
        Path a = dir.resolve("a.sock");
        Path b = dir.resolve("b.sock");
        String one = "[{\"socket\": \"%s\", \"luns\": [{\"lun\": 0, \"backstore\": \"disk1\"}]}]".formatted(a);
        try (XtargetServer server = XtargetServer.start(config(one), dir)) {
            assertThat(Files.exists(a)).isTrue();
            VhostController c = server.vhostControllers().getFirst();
            assertThat(c.port().relativePortId()).isEqualTo(3); // after the two iSCSI portals
            try (FakeFrontEnd fe = new FakeFrontEnd(a.toString())) {
                fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
                fe.ring(0, 8);
                fe.ring(1, 8);
                fe.ring(2, 8);
                VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
                assertThat(g.command(0, new byte[6], null, 0).sense()[12]).isEqualTo((byte) 0x29); // POWER ON
                assertThat(g.command(0, new byte[6], null, 0).status()).isZero();
                assertThat(g.command(1, new byte[6], null, 0).sense()[12]).isEqualTo((byte) 0x25);

                // reload: LUN 1 added to a, controller b added
                String two = ("[{\"socket\": \"%s\", \"luns\": [{\"lun\": 0, \"backstore\": \"disk1\"},"
                        + " {\"lun\": 1, \"backstore\": \"disk2\"}]}, {\"socket\": \"%s\"}]").formatted(a, b);
                server.reload(config(two));
                assertThat(Files.exists(b)).isTrue();
                assertThat(server.vhostControllers()).hasSize(2);
                assertThat(server.vhostControllers().get(1).port().relativePortId()).isEqualTo(4);
                assertThat(g.command(0, new byte[6], null, 0).sense()[12]).isEqualTo((byte) 0x3F); // LUNS CHANGED
                assertThat(g.command(1, new byte[6], null, 0).sense()[12]).isEqualTo((byte) 0x29); // new LU: POWER ON
                assertThat(g.command(1, new byte[6], null, 0).sense()[12]).isEqualTo((byte) 0x3F);
                assertThat(g.command(1, new byte[6], null, 0).status()).isZero();

                // reload: a removed; its guest's session ends
                server.reload(config("[{\"socket\": \"%s\"}]".formatted(b)));
                assertThat(Files.exists(a)).isFalse();
                assertThat(fe.closedByBackEnd()).isTrue();
                assertThat(server.vhostControllers()).extracting(VhostController::socket).containsExactly(b);
            }
        }
        assertThat(Files.exists(b)).isFalse();
    }

    @Test
    void aSocketInUseStopsTheStart() throws Exception {
        Path a = dir.resolve("a.sock");
        String one = "[{\"socket\": \"%s\"}]".formatted(a);
        try (XtargetServer first = XtargetServer.start(config(one), dir)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> XtargetServer.start(config(one), dir))
                    .hasMessageContaining("in use by another process");
            assertThat(first.vhostControllers()).hasSize(1);
        }
        Files.writeString(a, "not a socket");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> XtargetServer.start(config(one), dir))
                .hasMessageContaining("is not a socket");
        Files.delete(a);
        // a stale socket file from a killed server is replaced
        int fd = UnixSockets.bind(a.toString());
        UnixFds.closeQuietly(fd);
        try (XtargetServer s = XtargetServer.start(config(one), dir)) {
            assertThat(s.vhostControllers()).hasSize(1);
        }
    }
}
