package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.FileStore;
import io.xtarget.backend.NullStore;
import io.xtarget.backend.RamStore;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeBuilderTest {
    @TempDir
    Path dir;

    static final String NAA0 = "60a5854aaaaaaaaaaaaaaaaaaaaaaaaa";

    static final String JSON = """
            {"backstores": [
               {"name": "ram0", "type": "ram", "size": "8M", "naa": "%s", "serial": "s0"},
               {"name": "disk1", "type": "file", "path": "img/disk1.img", "size": "4M", "blockSize": 4096,
                "removable": true}],
             "targets": [
               {"name": "iqn.2026-11.io.xtarget:a", "portals": ["127.0.0.1:3260", "127.0.0.1:3262"],
                "luns": [{"lun": 0, "backstore": "ram0"}, {"lun": 1, "backstore": "disk1", "readOnly": true}]},
               {"name": "iqn.2026-11.io.xtarget:b", "portals": ["127.0.0.1:3261"], "copyPolicy": "port",
                "luns": [{"lun": 5, "backstore": "disk1"}],
                "acls": [{"initiator": "iqn.1994-05.com.example:h1"},
                         {"initiator": "iqn.1994-05.com.example:h2", "luns": [{"lun": 0, "backstore": "ram0", "readOnly": true}]},
                         {"initiator": "iqn.1994-05.com.example:none", "luns": []},
                         {"initiator": "iqn.1994-05.com.example:ro-reset", "resets": true,
                          "luns": [{"lun": 0, "backstore": "ram0", "readOnly": true}]}]}]}
            """.formatted(NAA0);

    private ServerModel build(String json) {
        return RuntimeBuilder.build(ConfigParser.parse(json), dir, OpcodeTable.builder().build());
    }

    @Test
    void buildsUnitsPortsAndLunMaps() throws Exception {
        try (ServerModel m = build(JSON)) {
            LogicalUnit ram = m.unit("ram0");
            LogicalUnit disk = m.unit("disk1");
            assertThat(m.units()).containsExactly(ram, disk);
            assertThat(ram.store()).isInstanceOf(RamStore.class);
            assertThat(ram.naaHex()).isEqualTo(NAA0);
            assertThat(ram.serial()).isEqualTo("s0");
            assertThat(ram.blockCount()).isEqualTo((8L << 20) / 512);
            assertThat(disk.store()).isInstanceOf(FileStore.class);
            assertThat(disk.blockSize()).isEqualTo(4096);
            assertThat(disk.removable()).isTrue();
            assertThat(ram.removable()).isFalse();
            assertThat(disk.naaHex()).startsWith("60a5854").isNotEqualTo(NAA0);
            assertThat(disk.serial()).isEqualTo(disk.naaHex().substring(7));
            assertThat(Files.size(dir.resolve("img/disk1.img"))).isEqualTo(4L << 20);

            Target a = m.core().target("iqn.2026-11.io.xtarget:a");
            Target b = m.core().target("iqn.2026-11.io.xtarget:b");
            assertThat(a.ports()).containsExactly(
                    IscsiPorts.targetPort("iqn.2026-11.io.xtarget:a", 1, 1, 1, "127.0.0.1:3260"),
                    IscsiPorts.targetPort("iqn.2026-11.io.xtarget:a", 2, 2, 1, "127.0.0.1:3262"));
            assertThat(b.ports()).containsExactly(IscsiPorts.targetPort("iqn.2026-11.io.xtarget:b", 1, 3, 2, "127.0.0.1:3261"));

            // demo mode: everyone gets the target's LUNs
            assertThat(a.copyPolicy()).isEqualTo(CopyAccessPolicy.INITIATOR);
            LunMap anyone = a.lunMapFor("iqn.2000-01.whoever:x");
            assertThat(anyone.mappings()).extracting(l -> l.lun()).containsExactly(0, 1);
            assertThat(anyone.get(0).unit()).isSameAs(ram);
            assertThat(anyone.get(1).unit()).isSameAs(disk);
            assertThat(anyone.get(1).readOnly()).isTrue();

            // ACL mode
            assertThat(b.copyPolicy()).isEqualTo(CopyAccessPolicy.PORT);
            assertThat(b.admits("iqn.2000-01.whoever:x")).isFalse();
            LunMap h1 = b.lunMapFor("iqn.1994-05.com.example:h1");
            assertThat(h1.mappings()).hasSize(1);
            assertThat(h1.get(5).unit()).isSameAs(disk);
            assertThat(h1.get(5).readOnly()).isFalse();
            LunMap h2 = b.lunMapFor("iqn.1994-05.com.example:h2");
            assertThat(h2.mappings()).hasSize(1);
            assertThat(h2.get(0).unit()).isSameAs(ram);
            assertThat(h2.get(0).readOnly()).isTrue();
            assertThat(b.admits("iqn.1994-05.com.example:none")).isTrue();
            assertThat(b.lunMapFor("iqn.1994-05.com.example:none").isEmpty()).isTrue();

            // reset grants: the default rule unless the ACL sets "resets"
            assertThat(anyone.resets()).as("demo mode follows the rule").isNull();
            assertThat(anyone.mayResetTarget()).as("LUN 1 is read-only").isFalse();
            assertThat(anyone.mayResetLogicalUnit(0)).isTrue();
            assertThat(h1.resets()).isNull();
            assertThat(h1.mayResetTarget()).isTrue();
            assertThat(h2.mayResetLogicalUnit(0)).isFalse();
            assertThat(b.lunMapFor("iqn.1994-05.com.example:ro-reset").resets()).isTrue();
            assertThat(b.lunMapFor("iqn.1994-05.com.example:ro-reset").mayResetLogicalUnit(0)).isTrue();

            // one LU object behind every path to a backstore
            ram.writeBytes(0, ByteBuffer.wrap(new byte[] {9}), false);
            ByteBuffer got = ByteBuffer.allocate(1);
            h2.get(0).unit().readBytes(0, got);
            assertThat(got.get(0)).isEqualTo((byte) 9);
        }
    }

    @Test
    void nullBackstoreDiscardsWritesAndReadsZeros() throws Exception {
        String json = """
                {"backstores": [{"name": "n", "type": "null", "size": "1T", "blockSize": 4096}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:n", "luns": [{"lun": 0, "backstore": "n"}]}]}""";
        try (ServerModel m = build(json)) {
            LogicalUnit n = m.unit("n");
            assertThat(n.store()).isInstanceOf(NullStore.class);
            assertThat(n.store().kind()).isEqualTo("null");
            assertThat(n.blockSize()).isEqualTo(4096);
            assertThat(n.blockCount()).isEqualTo((1L << 40) / 4096);
            n.writeBytes(8192, ByteBuffer.wrap(new byte[] {1, 2, 3}), false);
            ByteBuffer got = ByteBuffer.allocate(3);
            n.readBytes(8192, got);
            assertThat(got.array()).containsOnly(0);
        }
    }

    @Test
    void closingTheModelClosesTheStores() throws Exception {
        ServerModel m = build(JSON);
        m.close();
        assertThatThrownBy(() -> m.unit("ram0").readBytes(0, ByteBuffer.allocate(512))).isInstanceOf(IOException.class);
    }

    @Test
    void listenOverrideReplacesEveryPortal() throws Exception {
        ServerConfig c = ConfigParser.parse(JSON).withListen("127.0.0.1:0");
        assertThat(c.targets()).allSatisfy(t -> assertThat(t.portals()).containsExactly("127.0.0.1:0"));
        try (ServerModel m = RuntimeBuilder.build(c, dir, OpcodeTable.builder().build())) {
            assertThat(m.core().targets()).flatExtracting(Target::ports).extracting(TargetPort::relativePortId).containsExactly(1, 2);
        }
        assertThatThrownBy(() -> ConfigParser.parse(JSON).withListen("nope nope"))
                .hasMessage("--listen: \"nope nope\" is not HOST:PORT");
    }

    @Test
    void storesThatCannotOpenNameTheBackstoreAndOthersAreClosed() throws Exception {
        Files.write(dir.resolve("small.img"), new byte[512]);
        String json = """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M"},
                                {"name": "f", "type": "file", "path": "small.img", "size": "1M"}]}""";
        assertThatThrownBy(() -> build(json)).isInstanceOf(ConfigException.class).hasMessage(
                "backstores[1]: cannot open file backstore \"f\": " + dir.resolve("small.img")
                        + " holds 512 bytes, less than the requested 1048576");
        String block = """
                {"backstores": [{"name": "b", "type": "block", "path": "no-such-dev"}]}""";
        assertThatThrownBy(() -> build(block)).hasMessage(
                "backstores[0]: cannot open block backstore \"b\": " + dir.resolve("no-such-dev") + " does not exist");
    }
}
