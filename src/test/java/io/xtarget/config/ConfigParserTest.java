package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.CopyAccessPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigParserTest {
    static final String NAA = "60a5854" + "0123456789abcdef012345678";

    static final String FULL = """
            {
              "backstores": [
                {"name": "ram0", "type": "ram", "size": "1G", "blockSize": 512, "naa": "%s", "serial": "abc"},
                {"name": "disk1", "type": "file", "path": "data/disk1.img", "size": "1G", "blockSize": 4096, "removable": true},
                {"name": "raw0", "type": "block", "path": "/dev/loop0", "removable": false}
              ],
              "targets": [
                {"name": "IQN.2026-11.io.xtarget:Demo",
                 "portals": ["127.0.0.1:3260", "[::1]", "localhost:0"],
                 "copyPolicy": "port",
                 "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "disk1", "readOnly": false}],
                 "acls": [{"initiator": "iqn.1994-05.com.Example:host1", "luns": [{"lun": 0, "backstore": "disk1", "readOnly": true}]},
                          {"initiator": "eui.0123456789ABCDEF"}]}
              ]
            }
            """.formatted(NAA.toUpperCase());

    @Test
    void parsesTheFullExample() {
        ServerConfig c = ConfigParser.parse(FULL);
        assertThat(c.backstores()).containsExactly(
                new BackstoreConfig("ram0", BackstoreType.RAM, null, 1L << 30, 512, NAA, "abc"),
                new BackstoreConfig("disk1", BackstoreType.FILE, "data/disk1.img", 1L << 30, 4096, null, null, true),
                new BackstoreConfig("raw0", BackstoreType.BLOCK, "/dev/loop0", null, 512, null, null));
        TargetConfig t = c.targets().getFirst();
        assertThat(t.name()).isEqualTo("iqn.2026-11.io.xtarget:demo");
        assertThat(t.portals()).containsExactly("127.0.0.1:3260", "[::1]:3260", "localhost:0");
        assertThat(t.copyPolicy()).isEqualTo(CopyAccessPolicy.PORT);
        assertThat(t.luns()).containsExactly(new LunConfig(0, "ram0", false), new LunConfig(1, "disk1", false));
        assertThat(t.acls()).containsExactly(
                new AclConfig("iqn.1994-05.com.example:host1", List.of(new LunConfig(0, "disk1", true))),
                new AclConfig("eui.0123456789abcdef", null));
        assertThat(t.acls().get(1).effectiveLuns(t)).isEqualTo(t.luns());
    }

    @Test
    void defaultsAndEmptyDocuments() {
        assertThat(ConfigParser.parse("{}")).isEqualTo(ServerConfig.EMPTY);
        ServerConfig c = ConfigParser.parse("""
                {"backstores": [{"name": "r", "type": "ram", "size": 1048576}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:t"}]}""");
        assertThat(c.backstores().getFirst().blockSize()).isEqualTo(512);
        assertThat(c.backstores().getFirst().removable()).isFalse();
        assertThat(c.targets().getFirst()).isEqualTo(new TargetConfig("iqn.2026-11.io.xtarget:t", List.of(),
                CopyAccessPolicy.INITIATOR, List.of(), List.of()));
    }

    @Test
    void nullBackstore() {
        ServerConfig c = ConfigParser.parse("""
                {"backstores": [{"name": "n0", "type": "null", "size": "10G", "blockSize": 4096, "removable": true}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:t", "luns": [{"lun": 0, "backstore": "n0"}]}]}""");
        assertThat(c.backstores()).containsExactly(
                new BackstoreConfig("n0", BackstoreType.NULL, null, 10L << 30, 4096, null, null, true));
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"type\" : \"null\"", "\"size\" : \"10G\"");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
    }

    @Test
    void writerOutputParsesBackToTheSameConfig() {
        ServerConfig c = ConfigParser.parse(FULL);
        String json = ConfigWriter.toJson(c);
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
        assertThat(json).contains("\"size\" : \"1G\"").doesNotContain("readOnly\" : false");
        // "removable" is written only when true, once (disk1)
        assertThat(json.split("\"removable\" : true", -1)).hasSize(2);
        assertThat(json).doesNotContain("\"removable\" : false");
    }

    /** Each case: a backstore JSON object inside an otherwise valid config, and the exact error. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"name": "a", "type": "ram", "size": "1G", "color": 1}           | backstores[1].color: unknown property
            {"type": "ram", "size": "1G"}                                   | backstores[1].name: missing
            {"name": 5, "type": "ram", "size": "1G"}                         | backstores[1].name: expected a string
            {"name": "a b", "type": "ram", "size": "1G"}                     | backstores[1].name: "a b" is not a backstore name (1 to 64 letters, digits, '_', '.', ':', '-')
            {"name": "r", "type": "ram", "size": "1G"}                       | backstores[1].name: duplicate backstore name "r"
            {"name": "a", "type": "tape", "size": "1G"}                      | backstores[1].type: "tape" is not one of "ram", "file", "block", "null", "rbd"
            {"name": "a", "type": "ram"}                                     | backstores[1].size: required for type ram
            {"name": "a", "type": "ram", "size": "1X"}                       | backstores[1].size: "1X" is not a size (bytes, or a number with K, M, G or T)
            {"name": "a", "type": "ram", "size": "99999999999T"}             | backstores[1].size: "99999999999T" is too large
            {"name": "a", "type": "ram", "size": true}                       | backstores[1].size: expected a number of bytes or a string like "1G"
            {"name": "a", "type": "ram", "size": 1000}                       | backstores[1].size: 1000 is not a positive multiple of the block size 512
            {"name": "a", "type": "ram", "size": "6K", "blockSize": 4096}    | backstores[1].size: 6144 is not a positive multiple of the block size 4096
            {"name": "a", "type": "ram", "size": "1G", "blockSize": 1024}    | backstores[1].blockSize: must be 512 or 4096, not 1024
            {"name": "a", "type": "ram", "size": "1G", "blockSize": "512"}   | backstores[1].blockSize: expected an integer
            {"name": "a", "type": "ram", "size": "1G", "path": "x"}          | backstores[1].path: not allowed for type ram
            {"name": "a", "type": "null"}                                    | backstores[1].size: required for type null
            {"name": "a", "type": "null", "size": "1G", "path": "x"}         | backstores[1].path: not allowed for type null
            {"name": "a", "type": "null", "size": 1000}                      | backstores[1].size: 1000 is not a positive multiple of the block size 512
            {"name": "a", "type": "NULL", "size": "1G"}                      | backstores[1].type: "NULL" is not one of "ram", "file", "block", "null", "rbd"
            {"name": "a", "type": "file", "size": "1G"}                      | backstores[1].path: required for type file
            {"name": "a", "type": "block"}                                   | backstores[1].path: required for type block
            {"name": "a", "type": "block", "path": "/dev/x", "size": "1G"}   | backstores[1].size: not allowed for type block (the device's size is used)
            {"name": "a", "type": "ram", "size": "1G", "naa": "50a5854"}     | backstores[1].naa: "50a5854" is not 32 hex digits of an NAA type 6 designator
            {"name": "a", "type": "ram", "size": "1G", "naa": "60A58540123456789ABCDEF012345678"} | backstores[1].naa: same NAA as backstores[0]
            {"name": "a", "type": "ram", "size": "1G", "serial": "a b"}      | backstores[1].serial: must be 1 to 64 printable ASCII characters without spaces
            {"name": "a", "type": "ram", "size": "1G", "removable": "yes"}   | backstores[1].removable: expected true or false
            {"name": "a", "type": "ram", "size": "1G", "removable": 1}       | backstores[1].removable: expected true or false
            7                                                               | backstores[1]: expected a JSON object
            """)
    void backstoreErrors(String backstore, String error) {
        String json = """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M", "naa": "%s"}, %s]}""".formatted(NAA, backstore);
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class).hasMessage(error);
    }

    /** Each case: a target JSON object (backstore "r" exists), and the exact error. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"name": "iqn.2026-11.io.x:t", "foo": 1}                                      | targets[0].foo: unknown property
            {"portals": []}                                                                | targets[0].name: missing
            {"name": "demo"}                                                               | targets[0].name: "demo" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)
            {"name": "iqn.2026-13.io.x:t"}                                                 | targets[0].name: "iqn.2026-13.io.x:t" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)
            {"name": "eui.123"}                                                            | targets[0].name: "eui.123" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)
            {"name": "iqn.2026-11.io.x:t", "portals": "1.2.3.4"}                          | targets[0].portals: expected a JSON array
            {"name": "iqn.2026-11.io.x:t", "portals": ["1.2.3.4:99999"]}                  | targets[0].portals[0]: "1.2.3.4:99999": port 99999 is out of range 0..65535
            {"name": "iqn.2026-11.io.x:t", "portals": ["a b"]}                            | targets[0].portals[0]: "a b" is not HOST:PORT
            {"name": "iqn.2026-11.io.x:t", "portals": [3260]}                             | targets[0].portals[0]: expected a string "HOST:PORT"
            {"name": "iqn.2026-11.io.x:t", "portals": ["127.0.0.1", "127.0.0.1:3260"]}    | targets[1].portals[1]: duplicate portal 127.0.0.1:3260
            {"name": "iqn.2026-11.io.x:t", "copyPolicy": "any"}                           | targets[0].copyPolicy: "any" is not "initiator" or "port"
            {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 0, "backstore": "x"}]}        | targets[0].luns[0].backstore: no backstore named "x"
            {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 0}]}                          | targets[0].luns[0].backstore: missing
            {"name": "iqn.2026-11.io.x:t", "luns": [{"backstore": "r"}]}                  | targets[0].luns[0].lun: missing
            {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 16384, "backstore": "r"}]}    | targets[0].luns[0].lun: 16384 is out of range 0..16383
            {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 1.5, "backstore": "r"}]}      | targets[0].luns[0].lun: expected an integer
            {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 0, "backstore": "r", "readOnly": 1}]} | targets[0].luns[0].readOnly: expected true or false
            {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 0, "backstore": "r"}, {"lun": 0, "backstore": "r"}]} | targets[0].luns[1].lun: LUN 0 is mapped twice
            {"name": "iqn.2026-11.io.x:t", "acls": [{"luns": []}]}                        | targets[0].acls[0].initiator: missing
            {"name": "iqn.2026-11.io.x:t", "acls": [{"initiator": "host1"}]}              | targets[0].acls[0].initiator: "host1" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)
            {"name": "iqn.2026-11.io.x:t", "acls": [{"initiator": "iqn.2000-01.a:b"}, {"initiator": "IQN.2000-01.A:B"}]} | targets[0].acls[1].initiator: duplicate ACL for "iqn.2000-01.a:b"
            {"name": "iqn.2026-11.io.x:t", "acls": [{"initiator": "iqn.2000-01.a:b", "luns": [{"lun": 3, "backstore": "y"}]}]} | targets[0].acls[0].luns[0].backstore: no backstore named "y"
            {"name": "iqn.2026-11.io.x:t", "acls": [{"initiator": "iqn.2000-01.a:b", "x": 1}]} | targets[0].acls[0].x: unknown property
            """)
    void targetErrors(String target, String error) {
        // "duplicate portal" needs the target at index 1, so a valid target goes first when the case says targets[1]
        String prefix = error.startsWith("targets[1]") ? "{\"name\": \"iqn.2026-11.io.x:first\"}, " : "";
        String json = """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M"}], "targets": [%s%s]}""".formatted(prefix, target);
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class).hasMessage(error);
    }

    /** An ACL's "resets": true or false overrides the default rule; absent is null, written only when set. */
    @Test
    void aclResetGrantParsesAndWritesBack() {
        ServerConfig c = ConfigParser.parse("""
                {"backstores": [{"name": "r", "type": "ram", "size": "1M"}],
                 "targets": [{"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 0, "backstore": "r", "readOnly": true}],
                              "acls": [{"initiator": "iqn.2000-01.a:ro", "resets": true},
                                       {"initiator": "iqn.2000-01.a:rw", "resets": false},
                                       {"initiator": "iqn.2000-01.a:plain", "resets": null},
                                       {"initiator": "iqn.2000-01.a:none"}]}]}""");
        assertThat(c.targets().getFirst().acls()).extracting(AclConfig::resets).containsExactly(true, false, null,
                null);
        String json = ConfigWriter.toJson(c);
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
        assertThat(json).contains("\"resets\" : true", "\"resets\" : false");
        assertThat(json.split("\"resets\"", -1)).as("written only when set").hasSize(3);
        assertThat(c.targets().getFirst().acls().get(2).withResets(false).withChap(null).resets()).isFalse();
        assertThatThrownBy(() -> ConfigParser.parse("""
                {"targets": [{"name": "iqn.2026-11.io.x:t", "acls": [{"initiator": "iqn.2000-01.a:b", "resets": "no"}]}]}"""))
                .isInstanceOf(ConfigException.class).hasMessage("targets[0].acls[0].resets: expected true or false");
    }

    @Test
    void duplicateTargetNamesDifferingOnlyInCase() {
        assertThatThrownBy(() -> ConfigParser.parse("""
                {"targets": [{"name": "iqn.2026-11.io.x:t"}, {"name": "IQN.2026-11.IO.X:T"}]}"""))
                .hasMessage("targets[1].name: duplicate target \"iqn.2026-11.io.x:t\"");
    }

    @Test
    void jsonSyntaxErrors() {
        assertThatThrownBy(() -> ConfigParser.parse("{\"backstores\": [}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid JSON at line 1, column 17: Unexpected close marker '}'");
        assertThatThrownBy(() -> ConfigParser.parse("{\"targets\": [], \"targets\": []}"))
                .hasMessageStartingWith("invalid JSON at line 1, column ")
                .hasMessageContaining("Duplicate field 'targets'");
        assertThatThrownBy(() -> ConfigParser.parse("")).hasMessage("invalid JSON: empty document");
        assertThatThrownBy(() -> ConfigParser.parse("[]")).hasMessage("(root): expected a JSON object");
        assertThatThrownBy(() -> ConfigParser.parse("{\"hosts\": 1}")).hasMessage("hosts: unknown property");
        assertThatThrownBy(() -> ConfigParser.parse("{} {}")).hasMessageStartingWith("invalid JSON at line 1");
    }

    @ParameterizedTest
    @CsvSource({"0,0", "512,512", "4K,4096", "1m,1048576", "1G,1073741824", "2T,2199023255552"})
    void sizes(String text, long bytes) {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource({"1073741824,1G", "3072,3K", "1000,1000", "0,0", "1536,1536", "5497558138880,5T"})
    void sizeFormatting(long bytes, String text) {
        assertThat(Sizes.format(bytes)).isEqualTo(text);
    }

    @Test
    void iscsiNames() {
        assertThat(IscsiNames.isValid("iqn.1994-05.com.redhat:2a3b4c")).isTrue();
        assertThat(IscsiNames.isValid("iqn.2004-10.com.ubuntu:01:abcdef")).isTrue();
        assertThat(IscsiNames.isValid("naa.52004567ba64678d")).isTrue();
        assertThat(IscsiNames.isValid("naa.60a5854" + "0".repeat(25))).isTrue();
        assertThat(IscsiNames.isValid("iqn.2026-11.-bad")).isFalse();
        assertThat(IscsiNames.isValid("iqn.2026-11.io.x:" + "a".repeat(210))).isFalse();
        assertThat(IscsiNames.isValid("iqn.2026-11.io.x:under_score")).isFalse();
    }
}
