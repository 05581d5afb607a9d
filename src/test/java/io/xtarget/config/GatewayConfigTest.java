package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.TargetPort;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    @TempDir
    Path dir;

    static String json(String gateway) {
        return """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M"}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:a", "portals": ["127.0.0.1:3260", "127.0.0.2:3260"],
                              "luns": [{"lun": 0, "backstore": "r"}]},
                             {"name": "iqn.2026-11.io.xtarget:b", "luns": [{"lun": 0, "backstore": "r"}]}],
                 "gateway": %s}
                """.formatted(gateway);
    }

    @Test
    void parsesWritesBackAndNumbersThePortsIntoOneGroup() throws Exception {
        ServerConfig c = ConfigParser.parse(json("{\"group\": 2, \"firstRelativePort\": 10, "
                + "\"peers\": [{\"group\": 1, \"relativePorts\": [1, 2]}]}"));
        assertThat(c.gateway()).isEqualTo(new GatewayConfig(2, 10, List.of(new GatewayConfig.Peer(1, List.of(1, 2)))));
        assertThat(ConfigParser.parse(ConfigWriter.toJson(c)).gateway()).isEqualTo(c.gateway());
        try (ServerModel m = RuntimeBuilder.build(c, dir, OpcodeTable.builder().build(), (n, s) -> s)) {
            List<TargetPort> ports = m.core().targets().stream().flatMap(t -> t.ports().stream()).toList();
            assertThat(ports).extracting(TargetPort::relativePortId).containsExactly(10, 11);
            assertThat(ports).extracting(TargetPort::portGroupId).containsOnly(2);
        }
    }

    @Test
    void rejectsCollisions() {
        assertThatThrownBy(() -> ConfigParser.parse(json("{\"group\": 1, \"peers\": [{\"group\": 1, \"relativePorts\": [9]}]}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.peers[0].group");
        assertThatThrownBy(() -> ConfigParser.parse(json("{\"group\": 1, \"peers\": [{\"group\": 2, \"relativePorts\": [2]}]}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.peers[0].relativePorts");
        assertThatThrownBy(() -> ConfigParser.parse(json("{\"peers\": []}")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.group");
    }
}
