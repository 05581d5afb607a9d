package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The config's "vhost" list: parsed strictly, validated, written back. */
class VhostConfigTest {
    static final String BACKSTORES = """
            "backstores": [{"name": "disk1", "type": "ram", "size": "1M"}, {"name": "disk2", "type": "ram", "size": "1M"}]
            """;

    static ServerConfig parse(String vhost) {
        return ConfigParser.parse("{" + BACKSTORES + ", \"vhost\": " + vhost + "}");
    }

    @Test
    void parsesAndWritesBack() {
        ServerConfig c = parse("""
                [{"socket": "/run/xtarget/../xtarget/vm1.sock", "luns": [{"lun": 0, "backstore": "disk1"}]},
                 {"socket": "/run/xtarget/vm2.sock", "luns": [{"lun": 3, "backstore": "disk2", "readOnly": true}],
                  "mode": "0660", "group": "kvm"}]
                """);
        assertThat(c.vhost()).containsExactly(
                new VhostConfig("/run/xtarget/vm1.sock", List.of(new LunConfig(0, "disk1", false))),
                new VhostConfig("/run/xtarget/vm2.sock", List.of(new LunConfig(3, "disk2", true)), "0660", "kvm"));
        assertThat(PosixFilePermissions.toString(c.vhost().get(0).permissions())).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(c.vhost().get(1).permissions())).isEqualTo("rw-rw----");
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"vhost\"").contains("\"mode\" : \"0660\"").contains("\"group\" : \"kvm\"");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
    }

    @Test
    void copyPolicyAndInitiatorAreParsedAndWrittenBack() {
        ServerConfig c = parse("""
                [{"socket": "/run/xtarget/vm1.sock", "copyPolicy": "port", "initiator": "IQN.2026-11.io.example:Host"},
                 {"socket": "/run/xtarget/vm2.sock"}]
                """);
        assertThat(c.vhost().get(0).copyPolicy()).isEqualTo(io.xtarget.scsi.CopyAccessPolicy.PORT);
        assertThat(c.vhost().get(0).initiator()).isEqualTo("iqn.2026-11.io.example:host");
        assertThat(c.vhost().get(1).copyPolicy()).isNull(); // the default: initiator
        assertThat(c.vhost().get(1).initiator()).isNull();
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"copyPolicy\" : \"port\"").contains("\"initiator\" : \"iqn.2026-11.io.example:host\"");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
    }

    @Test
    void aConfigWithoutControllersWritesNoVhostList() {
        ServerConfig c = ConfigParser.parse("{" + BACKSTORES + "}");
        assertThat(c.vhost()).isEmpty();
        assertThat(ConfigWriter.toJson(c)).doesNotContain("vhost");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[{\"socket\": \"/a.sock\", \"lun\": []}]|vhost[0].lun: unknown property",
        "[{\"luns\": []}]|vhost[0].socket: missing",
        "[{\"socket\": \"vm1.sock\"}]|vhost[0].socket: \"vm1.sock\" is not an absolute path",
        "[{\"socket\": 5}]|vhost[0].socket: expected a string",
        "[{\"socket\": \"/a.sock\", \"mode\": \"0755\"}]|vhost[0].mode: \"0755\" is not an octal mode",
        "[{\"socket\": \"/a.sock\", \"mode\": \"rw\"}]|vhost[0].mode",
        "[{\"socket\": \"/a.sock\", \"group\": \"a b\"}]|vhost[0].group",
        "[{\"socket\": \"/a.sock\"}, {\"socket\": \"/./a.sock\"}]|vhost[1].socket: duplicate vhost socket /a.sock",
        "[{\"socket\": \"/a.sock\", \"luns\": [{\"lun\": 0, \"backstore\": \"nope\"}]}]|vhost[0].luns[0].backstore: no backstore named \"nope\"",
        "[{\"socket\": \"/a.sock\", \"luns\": [{\"lun\": 0, \"backstore\": \"disk1\"}, {\"lun\": 0, \"backstore\": \"disk2\"}]}]|vhost[0].luns[1].lun: LUN 0 is mapped twice",
        "[{\"socket\": \"/a.sock\", \"luns\": [{\"lun\": 16384, \"backstore\": \"disk1\"}]}]|vhost[0].luns[0].lun: 16384 is out of range",
        "{\"socket\": \"/a.sock\"}|vhost: expected a JSON array",
        "[{\"socket\": \"/a.sock\", \"copyPolicy\": \"any\"}]|vhost[0].copyPolicy: \"any\" is not",
        "[{\"socket\": \"/a.sock\", \"initiator\": \"vm1\"}]|vhost[0].initiator: \"vm1\" is not an iSCSI name",
    })
    void refuses(String vhost, String message) {
        assertThatThrownBy(() -> parse(vhost)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void aSocketPathLongerThanSunPathIsRefused() {
        String tooLong = "/" + "x".repeat(107);
        assertThatThrownBy(() -> parse("[{\"socket\": \"" + tooLong + "\"}]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("1 to 107 bytes");
        String longest = "/" + "x".repeat(106);
        assertThat(parse("[{\"socket\": \"" + longest + "\"}]").vhost()).hasSize(1);
    }
}
