package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.OpcodeTable;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The backstore option {@code physicalBlockSize}: parsed, validated, written back, built into the LU. */
class PhysicalBlockSizeConfigTest {
    @TempDir
    Path dir;

    private static String config(String backstoreExtra) {
        return """
                {"backstores": [{"name": "e0", "type": "ram", "size": "8M"%s}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:t", "portals": ["127.0.0.1:3260"],
                              "luns": [{"lun": 0, "backstore": "e0"}]}]}""".formatted(backstoreExtra);
    }

    @Test
    void parsedWrittenBackAndOmittedWhenUnset() {
        ServerConfig c = ConfigParser.parse(config(", \"physicalBlockSize\": 4096"));
        BackstoreConfig b = c.backstore("e0");
        assertThat(b.physicalBlockSize()).isEqualTo(4096);
        assertThat(b.effectivePhysicalBlockSize()).isEqualTo(4096);
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"physicalBlockSize\" : 4096");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);

        ServerConfig plain = ConfigParser.parse(config(""));
        assertThat(plain.backstore("e0").physicalBlockSize()).isNull();
        assertThat(plain.backstore("e0").effectivePhysicalBlockSize()).isEqualTo(512);
        assertThat(ConfigWriter.toJson(plain)).doesNotContain("physicalBlockSize");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            , "physicalBlockSize": 1000                         | backstores[0].physicalBlockSize: 1000 is not the block size 512 times a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)
            , "physicalBlockSize": 1536                         | backstores[0].physicalBlockSize: 1536 is not the block size 512 times a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)
            , "physicalBlockSize": 256                          | backstores[0].physicalBlockSize: 256 is not the block size 512 times a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)
            , "physicalBlockSize": 0                            | backstores[0].physicalBlockSize: 0 is not the block size 512 times a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)
            , "physicalBlockSize": 2097152                      | backstores[0].physicalBlockSize: 2097152 is not the block size 512 times a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)
            , "blockSize": 4096, "physicalBlockSize": 512       | backstores[0].physicalBlockSize: 512 is not the block size 4096 times a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)
            , "physicalBlockSize": "4K"                         | backstores[0].physicalBlockSize: expected an integer
            """)
    void invalidValuesAreRefusedWithTheField(String extra, String error) {
        assertThatThrownBy(() -> ConfigParser.parse(config(extra))).isInstanceOf(ConfigException.class)
                .hasMessage(error);
    }

    @Test
    void theLogicalUnitReportsIt() throws Exception {
        ServerConfig c = ConfigParser.parse(config(", \"physicalBlockSize\": 4096"));
        try (ServerModel m = RuntimeBuilder.build(c, dir, OpcodeTable.builder().build())) {
            LogicalUnit lu = m.unit("e0");
            assertThat(lu.blockSize()).isEqualTo(512);
            assertThat(lu.physicalBlockSize()).isEqualTo(4096);
            assertThat(lu.logicalPerPhysical()).isEqualTo(8);
        }
        try (ServerModel m = RuntimeBuilder.build(ConfigParser.parse(config("")), dir, OpcodeTable.builder().build())) {
            assertThat(m.unit("e0").logicalPerPhysical()).isEqualTo(1);
        }
    }

    @Test
    void aReloadRefusesToChangeItOnABackstoreInUse() throws Exception {
        ServerConfig running = ConfigParser.parse(config(""));
        ServerConfig changed = ConfigParser.parse(config(", \"physicalBlockSize\": 4096"));
        try (ServerModel m = RuntimeBuilder.build(running, dir, OpcodeTable.builder().build())) {
            java.util.Map<String, LogicalUnit> open = java.util.Map.of("e0", m.unit("e0"));
            running = Designators.fillMissing(running).config();
            ServerConfig target = changed.withBackstores(java.util.List.of(changed.backstore("e0")
                    .withDesignators(running.backstore("e0").naa(), running.backstore("e0").serial())));
            ServerConfig from = running;
            assertThatThrownBy(() -> RuntimeBuilder.reload(from, target, open, dir, (n, s) -> s))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("changed; restart the server");
        }
    }
}
