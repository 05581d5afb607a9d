package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.cli.Cli;
import io.xtarget.cli.Main;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve --metrics}: counters over HTTP after real copies, and {@code xtarget status} printing them. */
class MetricsEndpointTest {
    static final String T = "iqn.2026-11.io.xtarget.metrics:t";

    @TempDir
    static Path dir;
    static XtargetServer server;
    static MetricsEndpoint metrics;

    @BeforeAll
    static void start() throws IOException {
        ServerConfig cfg = new ServerConfig(List.of(
                new BackstoreConfig("src", BackstoreType.RAM, null, 8L << 20, 512, null, null),
                new BackstoreConfig("dst", BackstoreType.RAM, null, 8L << 20, 512, null, null)),
                List.of(new TargetConfig(T, List.of("127.0.0.1:0"), CopyAccessPolicy.INITIATOR,
                        List.of(new LunConfig(0, "src", false), new LunConfig(1, "dst", false)), List.of())));
        server = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults());
        metrics = server.serveMetrics(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> get(String path, String method) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            URI uri = URI.create("http://127.0.0.1:" + metrics.address().getPort() + path);
            return c.send(HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    static CommandResult run(IscsiSession s, int lun, byte[] cdb, byte[] out, int in) throws IOException {
        CommandResult r = s.execute(lun, cdb, out == null ? null : ByteBuffer.wrap(out), in);
        for (int i = 0; i < 4 && r.status() == 2 && r.senseData().map(d -> d.senseKey() == 6).orElse(false); i++) {
            r = s.execute(lun, cdb, out == null ? null : ByteBuffer.wrap(out), in);
        }
        return r;
    }

    /** An EXTENDED COPY(LID1) list: two E4h CSCDs by NAA, one 02h segment. */
    static byte[] list(byte[] srcNaa, byte[] dstNaa, int blocks, long srcLba, long dstLba) {
        ByteBuffer b = ByteBuffer.allocate(16 + 64 + 28);
        b.put(1, (byte) (3 << 3)).putShort(2, (short) 64).putInt(8, 28);
        for (int i = 0; i < 2; i++) {
            int off = 16 + 32 * i;
            byte[] naa = i == 0 ? srcNaa : dstNaa;
            b.put(off, (byte) 0xE4).put(off + 4, (byte) 1).put(off + 5, (byte) 3).put(off + 7, (byte) naa.length)
                    .put(off + 8, naa).putShort(off + 30, (short) 512);
        }
        b.put(80, (byte) 0x02).putShort(82, (short) 0x18).putShort(86, (short) 1).putShort(90, (short) blocks)
                .putLong(92, srcLba).putLong(100, dstLba);
        return b.array();
    }

    static byte[] xcopyCdb(int length) {
        return ByteBuffer.allocate(16).put(0, (byte) 0x83).putInt(10, length).array();
    }

    static long value(String text, String sample) {
        for (String line : text.split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Long.parseLong(line.substring(sample.length() + 1).trim());
            }
        }
        throw new AssertionError("no sample " + sample + " in\n" + text);
    }

    @Test
    void countsCopiesBytesSessionsAndLuTraffic() throws Exception {
        String before = get("/metrics", "GET").body();
        byte[] src = server.units().get(0).naa();
        byte[] dst = server.units().get(1).naa();
        byte[] data = new byte[1 << 20];
        new Random(1).nextBytes(data);
        try (IscsiSession s = IscsiSession.open("127.0.0.1", server.boundAddresses().get(0).getPort(), T,
                InitiatorOptions.defaults().withInitiatorName("iqn.2026-11.io.xtarget.metrics:host"))) {
            byte[] write = ByteBuffer.allocate(16).put(0, (byte) 0x8A).putInt(10, 2048).array();
            assertThat(run(s, 0, write, data, 0).status()).isZero();
            byte[] good = list(src, dst, 2048, 0, 0);
            assertThat(run(s, 0, xcopyCdb(good.length), good, 0).status()).isZero();
            byte[] bad = list(src, dst, 2048, 0, (8 << 20) / 512 - 1); // past the destination's end
            assertThat(run(s, 0, xcopyCdb(bad.length), bad, 0).status()).isEqualTo(2);

            HttpResponse<String> r = get("/metrics", "GET");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            String m = r.body();
            assertThat(m).contains("# TYPE xtarget_copies_started_total counter");
            assertThat(value(m, "xtarget_sessions")).isEqualTo(1);
            assertThat(value(m, "xtarget_copies_started_total") - value(before, "xtarget_copies_started_total"))
                    .isEqualTo(2);
            assertThat(value(m, "xtarget_copies_succeeded_total")).isEqualTo(1);
            assertThat(value(m, "xtarget_copies_failed_total")).isEqualTo(1);
            assertThat(value(m, "xtarget_copy_bytes_total")).isEqualTo(1 << 20);
            assertThat(value(m, "xtarget_copy_fast_path_bytes_total")).as("RAM to RAM").isEqualTo(1 << 20);
            assertThat(value(m, "xtarget_lu_written_bytes_total{lu=\"src\",kind=\"ram\"}")).isEqualTo(1 << 20);
            assertThat(value(m, "xtarget_lu_read_bytes_total{lu=\"src\",kind=\"ram\"}")).isEqualTo(1 << 20);
            assertThat(value(m, "xtarget_lu_written_bytes_total{lu=\"dst\",kind=\"ram\"}")).isEqualTo(1 << 20);

            // xtarget status prints the same counters readably
            Cli.Run status = Cli.run("status", "--metrics", "127.0.0.1:" + metrics.address().getPort()).succeeded();
            assertThat(status.out()).contains("  sessions          1")
                    .contains("  started           2").contains("  succeeded         1")
                    .contains("  failed            1").contains("  bytes offloaded   1.0 MiB (1048576)")
                    .containsPattern("  dst +ram +0 B +1\\.0 MiB \\(1048576\\)");
        }
    }

    @Test
    void onlyGetAndHeadOnTheMetricsPath() throws Exception {
        assertThat(get("/nope", "GET").statusCode()).isEqualTo(404);
        assertThat(get("/metrics", "POST").statusCode()).isEqualTo(405);
        assertThat(get("/metrics", "HEAD").statusCode()).isEqualTo(200);
        assertThat(get("/", "GET").body()).contains("xtarget_sessions");
    }

    @Test
    void escapesLabelValuesAndParsesAddresses() {
        assertThat(MetricsEndpoint.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
        assertThat(MetricsEndpoint.parseAddress("127.0.0.1:0").getPort()).isZero();
        assertThat(MetricsEndpoint.parseAddress("[::1]:9100").getAddress().isLoopbackAddress()).isTrue();
        assertThatThrownBy(() -> MetricsEndpoint.parseAddress("127.0.0.1")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> MetricsEndpoint.parseAddress("127.0.0.1:x")).hasMessageContaining("bad port");
        assertThatThrownBy(() -> server.serveMetrics(new InetSocketAddress("127.0.0.1", 0)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void statusAndServeReportBadAddresses() throws Exception {
        Cli.Run bad = Cli.run("status", "--metrics", "nohost");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("HOST:PORT");

        // nothing listens there: a clear one-line error
        int free;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            free = s.getLocalPort();
        }
        Cli.Run unreachable = Cli.run("status", "--metrics", "127.0.0.1:" + free);
        assertThat(unreachable.code()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot fetch http://127.0.0.1:" + free + "/metrics");

        Path cfg = dir.resolve("serve.json");
        ConfigStore.save(cfg, ServerConfig.EMPTY);
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            assertThat(Main.commandLine().execute("serve", "--config", cfg.toString(), "--metrics", "bad"))
                    .isEqualTo(1);
        } finally {
            System.setErr(saved);
        }
        assertThat(captured.toString()).contains("--metrics");
    }
}
