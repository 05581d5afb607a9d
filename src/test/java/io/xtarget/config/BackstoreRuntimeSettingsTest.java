package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LuHealth;
import io.xtarget.scsi.OpcodeTable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backstore settings a running server applies on reload: the soft threshold, and the enable
 * count that alone returns a failed LU to service.
 */
class BackstoreRuntimeSettingsTest {
    @TempDir
    Path dir;

    static final String JSON = """
            {"backstores": [{"name": "disk1", "type": "file", "path": "disk1.img", "size": "4M"%s}],
             "targets": [{"name": "iqn.2026-11.io.xtarget:a", "portals": ["127.0.0.1:3260"],
                          "luns": [{"lun": 0, "backstore": "disk1"}]}]}
            """;

    static ServerConfig config(String extra) {
        return ConfigParser.parse(JSON.formatted(extra));
    }

    @Test
    void parsedWrittenAndValidated() {
        ServerConfig c = config(", \"softThresholdPercent\": 90, \"enableCount\": 2");
        assertThat(c.backstore("disk1").softThresholdPercent()).isEqualTo(90);
        assertThat(c.backstore("disk1").enableCount()).isEqualTo(2);
        assertThat(ConfigParser.parse(ConfigWriter.toJson(c))).isEqualTo(c);
        assertThat(ConfigWriter.toJson(config(""))).doesNotContain("softThreshold").doesNotContain("enableCount");
        assertThatThrownBy(() -> config(", \"softThresholdPercent\": 100")).isInstanceOf(ConfigException.class)
                .hasMessage("backstores[0].softThresholdPercent: must be 1 to 99 (percent of the file system in use), not 100");
        assertThatThrownBy(() -> config(", \"softThresholdPercent\": 0")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> config(", \"enableCount\": -1")).isInstanceOf(ConfigException.class)
                .hasMessage("backstores[0].enableCount: must not be negative");
        assertThatThrownBy(() -> ConfigParser.parse("""
                {"backstores": [{"name": "r", "type": "ram", "size": "1M", "softThresholdPercent": 50}]}"""))
                .isInstanceOf(ConfigException.class)
                .hasMessage("backstores[0].softThresholdPercent: only for type file (a threshold on the image's file system), not ram");
    }

    @Test
    void aReloadAppliesTheThresholdAndOnlyAGrownEnableCountClearsAFailedLu() throws Exception {
        ServerConfig running = Designators.fillMissing(config(", \"softThresholdPercent\": 90")).config();
        Map<String, FaultInjectingStore> faulty = new LinkedHashMap<>();
        // the designators are already filled in, so the image is created as a new backstore's would be
        try (ServerModel m = RuntimeBuilder.build(running, dir, OpcodeTable.builder().build(), (name, store) -> {
            FaultInjectingStore f = new FaultInjectingStore(store);
            faulty.put(name, f);
            return f;
        }, ImageCreation.NEW_ONLY.withNew(List.of("disk1")))) {
            LogicalUnit lu = m.unit("disk1");
            Map<String, LogicalUnit> open = Map.of("disk1", lu);
            assertThat(lu.provisioning().softThresholdPercent()).isEqualTo(90);
            faulty.get("disk1").failFlushes(1);
            assertThatThrownBy(lu::flush).isInstanceOf(io.xtarget.backend.FlushFailedException.class);
            assertThatThrownBy(lu::flush).as("refused, though the store would flush now")
                    .isInstanceOf(io.xtarget.scsi.LogicalUnitFailedException.class);

            // an unrelated reload (and one that only changes the threshold) leaves it failed
            ServerConfig same = running.withBackstores(running.backstores());
            RuntimeBuilder.Reloaded r = RuntimeBuilder.reload(running, same, open, dir, (n, s) -> s);
            assertThat(lu.health().state()).isEqualTo(LuHealth.State.FAILED);
            ServerConfig tuned = running.withBackstores(java.util.List.of(running.backstore("disk1").withSoftThresholdPercent(80)));
            r = RuntimeBuilder.reload(r.config(), tuned, open, dir, (n, s) -> s);
            assertThat(lu.provisioning().softThresholdPercent()).isEqualTo(80);
            assertThat(lu.health().state()).isEqualTo(LuHealth.State.FAILED);
            assertThatThrownBy(() -> lu.write(0, ByteBuffer.allocate(512), false))
                    .isInstanceOf(io.xtarget.scsi.LogicalUnitFailedException.class);

            // xtarget backstore enable: the count grows, the next reload returns the LU to service
            ServerConfig enabled = tuned.withBackstores(java.util.List.of(tuned.backstore("disk1").withEnableCount(1)));
            r = RuntimeBuilder.reload(r.config(), enabled, open, dir, (n, s) -> s);
            assertThat(lu.health().state()).isEqualTo(LuHealth.State.HEALTHY);
            lu.write(0, ByteBuffer.allocate(512), true);
            lu.flush();

            // what defines the store still needs a restart
            ServerConfig resized = enabled.withBackstores(java.util.List.of(new BackstoreConfig("disk1",
                    BackstoreType.FILE, "disk1.img", 8L << 20, 512, enabled.backstore("disk1").naa(),
                    enabled.backstore("disk1").serial())));
            ServerConfig before = r.config();
            assertThatThrownBy(() -> RuntimeBuilder.reload(before, resized, open, dir, (n, s) -> s))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("restart");
        }
    }
}
