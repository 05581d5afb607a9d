package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.xtarget.config.ConfigException;
import io.xtarget.config.ConfigParser;
import io.xtarget.config.LimitsConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.server.XtargetServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The config's {@code "limits"} reach the running fabric: a server started from a config with a
 * short send timeout drops a connection that stops reading, and a reload cannot change limits.
 */
@Timeout(90)
class LimitsE2eTest {
    static final int SEND_TIMEOUT_SECONDS = 2;
    /** The timer looks once a second; then the drop itself. Far below the default 30 s. */
    static final Duration MARGIN = Duration.ofSeconds(3);
    /** The largest READ(10) within the fabric's transfer limit (the 16-bit TRANSFER LENGTH caps it). */
    static final int READ_BLOCKS = Math.min(ScsiLimits.MAX_TRANSFER_BYTES / 512, 0xFFFF);

    @TempDir
    Path dir;

    static LimitsConfig sendTimeout(int seconds) {
        return new LimitsConfig(null, null, seconds, null, null, null, null);
    }

    @Test
    void aConfiguredSendTimeoutDropsAConnectionThatStopsReading() throws Exception {
        try (E2eServer server = E2eServer.builder(dir).standardLayout().limits(sendTimeout(SEND_TIMEOUT_SECONDS))
                .start()) {
            assertThat(Files.readString(server.configFile())).contains("\"sendTimeoutSeconds\" : 2");
            assertThat(server.server().options().sendTimeoutMillis()).isEqualTo(SEND_TIMEOUT_SECONDS * 1000L);
            try (RawSession stalled = Wire.login(server, "iqn.2026-11.io.xtarget:stalled", Map.of())) {
                // far more READ data than the socket buffers take; nobody reads this socket from here on
                for (int i = 0; i < 16; i++) {
                    stalled.send(Wire.command(stalled, false, i + 1, Scsi.read10(0, READ_BLOCKS), true, false,
                            READ_BLOCKS * 512L, true, null));
                }
                Thread.sleep(Duration.ofSeconds(SEND_TIMEOUT_SECONDS).plus(MARGIN));
                long bytes = 0;
                while (true) {
                    Pdu p;
                    try {
                        p = stalled.read(Duration.ofSeconds(2));
                    } catch (IOException closed) {
                        return; // dropped by the send timeout
                    }
                    if (p == null) {
                        fail("%s after it stopped reading, the stalled connection is still open (config limits:"
                                + " sendTimeoutSeconds %d)", Duration.ofSeconds(SEND_TIMEOUT_SECONDS).plus(MARGIN),
                                SEND_TIMEOUT_SECONDS);
                    }
                    bytes += p.data().remaining();
                    if (bytes > ScsiLimits.MAX_TRANSFER_BYTES) {
                        fail("the target still sends the stalled session data (%d MiB read since): the connection"
                                + " was not dropped after sendTimeoutSeconds %d", bytes >> 20, SEND_TIMEOUT_SECONDS);
                    }
                }
            }
        }
    }

    @Test
    void startFromAConfigAppliesItsLimitsOverTheDefaults() throws Exception {
        ServerConfig config = ConfigParser.parse("""
                {"targets": [{"name": "iqn.2026-11.io.xtarget:limits", "portals": ["127.0.0.1:0"]}],
                 "limits": {"sessionBuffer": "128M", "serverBuffer": "2G", "sendTimeoutSeconds": 20,
                            "nopIntervalSeconds": 10, "nopTimeoutSeconds": 5, "loginTimeoutSeconds": 15,
                            "workerThreads": 4}}""");
        try (XtargetServer s = XtargetServer.start(config, dir)) {
            assertThat(s.options()).isEqualTo(new IscsiServer.Options(4, 10, 5, 15, 20_000, 128L << 20, 2L << 30));
        }
        try (XtargetServer s = XtargetServer.start(config.withLimits(null), dir)) {
            assertThat(s.options()).isEqualTo(IscsiServer.Options.defaults());
        }
    }

    @Test
    void aReloadThatChangesLimitsIsRefusedAsRestartOnly() throws Exception {
        try (E2eServer server = E2eServer.builder(dir).standardLayout().limits(sendTimeout(SEND_TIMEOUT_SECONDS))
                .start()) {
            XtargetServer s = server.server();
            ServerConfig running = server.config();

            assertThatThrownBy(() -> s.reload(running.withLimits(sendTimeout(5))))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("limits: changed (sendTimeoutSeconds 2 -> 5); restart the server to apply that");
            assertThatThrownBy(() -> s.reload(running.withLimits(null)))
                    .hasMessage("limits: changed (sendTimeoutSeconds 2 -> 30); restart the server to apply that");
            assertThatThrownBy(() -> s.reload(running.withLimits(new LimitsConfig(128L << 20, 2L << 30, 2, null,
                    null, null, null))))
                    .hasMessage("limits: changed (sessionBuffer 64M -> 128M, serverBuffer 1G -> 2G);"
                            + " restart the server to apply that");
            assertThat(s.options().sendTimeoutMillis()).isEqualTo(SEND_TIMEOUT_SECONDS * 1000L);

            // the same effective limits, spelled differently, are no change
            s.reload(running.withLimits(new LimitsConfig(64L << 20, null, 2, 30, null, null, null)));
            s.reload(running);
        }
    }
}
