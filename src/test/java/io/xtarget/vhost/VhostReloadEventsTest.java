package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Main;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.ImageCreation;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.UnitAttentions;
import io.xtarget.server.XtargetServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest hears of LUN map changes made with the command line and a reload (what SIGHUP does:
 * re-read the file, {@link XtargetServer#reload}) on its event queue, and of a parameter change
 * as soon as the unit attention is queued (the core's unit attention listener).
 */
class VhostReloadEventsTest {
    @TempDir
    Path dir;
    Path file;

    String cli(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--config");
        all.add(file.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute(all.toArray(String[]::new))).as(err.toString()).isZero();
        return out.toString();
    }

    /** What the SIGHUP handler of {@code xtarget serve} does. */
    void hangup(XtargetServer server) {
        ConfigStore.Loaded loaded = ConfigStore.read(file);
        server.reload(loaded.config(), ImageCreation.NEW_ONLY.withNew(loaded.newBackstores()));
    }

    static String metrics(XtargetServer server) throws Exception {
        var endpoint = server.serveMetrics(new java.net.InetSocketAddress("127.0.0.1", 0));
        try (java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient()) {
            java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics");
            return c.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /** Event buffers the driver keeps on queue 1 (virtio 1.1 5.6.6.3). */
    static final class Events {
        final FakeFrontEnd fe;
        final List<Long> bufs = new ArrayList<>();
        int seen;

        Events(FakeFrontEnd fe, int n) throws Exception {
            this.fe = fe;
            FakeDriver ev = fe.drivers.get(1);
            for (int i = 0; i < n; i++) {
                long b = fe.ram.alloc(16, 8);
                bufs.add(b);
                ev.publish(ev.chain(List.of(new FakeDriver.Buf(b, 16, true))));
            }
            fe.kick(1);
        }

        /** The next event: {event, lun, reason}. */
        int[] next() throws Exception {
            assertThat(fe.awaitUsed(1, seen + 1)).as("event " + seen).isTrue();
            ByteBuffer e = ByteBuffer.wrap(fe.ram.get(bufs.get(seen++), 16)).order(ByteOrder.LITTLE_ENDIAN);
            return new int[] {e.getInt(0), e.get(7) & 0xFF, e.getInt(12)};
        }
    }

    @Test
    void lunMapChangesFromTheCommandLineReachTheGuestAsEvents() throws Exception {
        file = dir.resolve("x.json");
        Path sock = dir.resolve("vm.sock");
        cli("backstore", "create", "disk1", "--type", "ram", "--size", "1M");
        cli("backstore", "create", "disk2", "--type", "ram", "--size", "1M");
        cli("vhost", "create", sock.toString(), "disk1");
        try (XtargetServer server = XtargetServer.start(ConfigStore.read(file).config(), dir);
                FakeFrontEnd fe = new FakeFrontEnd(sock.toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.ring(0, 8);
            fe.ring(1, 8);
            fe.ring(2, 8);
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            g.command(0, new byte[6], null, 0); // POWER ON
            assertThat(cli("vhost", "list")).contains(sock + " (mode 0600)", "front-end: connected", "lun 0 -> disk1");
            String metrics = metrics(server);
            assertThat(metrics).contains("xtarget_vhost_frontend_connected{socket=\"" + sock + "\"} 1",
                    "xtarget_vhost_data_bytes_total{socket=\"" + sock + "\",how=\"copied\"} 0");
            Events events = new Events(fe, 6);

            cli("lun", "create", sock.toString(), "disk2", "--lun", "1");
            hangup(server);
            assertThat(events.next()).containsExactly(VirtioScsi.T_TRANSPORT_RESET, 1, VirtioScsi.EVT_RESET_RESCAN);

            cli("lun", "delete", sock.toString(), "0");
            hangup(server);
            assertThat(events.next()).containsExactly(VirtioScsi.T_TRANSPORT_RESET, 0, VirtioScsi.EVT_RESET_REMOVED);

            // a parameter change of an LU still mapped: announced when queued, not at the next command
            LogicalUnit disk2 = server.vhostControllers().getFirst().lunMap().get(1).unit();
            disk2.unitAttentions().establish(server.vhostControllers().getFirst().nexus(),
                    UnitAttentions.MODE_PARAMETERS_CHANGED);
            assertThat(events.next()).containsExactly(VirtioScsi.T_PARAM_CHANGE, 1, 0x2A | 0x01 << 8);

            // disk1 left the map: its unit attentions are no longer the guest's business
            LogicalUnit disk1 = server.units().stream().filter(u -> u.name().equals("disk1")).findFirst().orElseThrow();
            disk1.unitAttentions().establish(server.vhostControllers().getFirst().nexus(),
                    UnitAttentions.CAPACITY_CHANGED);
            g.command(1, new byte[6], null, 0); // the poll thread's turn that runs the second command
            g.command(1, new byte[6], null, 0); // comes after the turn that flushed anything posted
            assertThat(fe.drivers.get(1).usedIdx()).isEqualTo(3);

            cli("vhost", "delete", sock.toString());
            hangup(server);
            assertThat(fe.closedByBackEnd()).isTrue();
            assertThat(server.vhostControllers()).isEmpty();
            cli("vhost", "create", sock.toString());
            assertThat(cli("vhost", "list")).contains("front-end: none (no server listens)");
            hangup(server);
            assertThat(cli("vhost", "list")).contains("front-end: none (served, waiting for QEMU)");
        }
    }
}
