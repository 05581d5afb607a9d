package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.MissingStore;
import io.xtarget.backend.Store;
import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.backend.rbd.RbdStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.OpcodeTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RBD backstores in the runtime builder (Ceph test cluster): a new one creates its image, a known
 * one whose image is missing or whose cluster cannot be reached is served NOT READY (the server
 * keeps its other LUs), and a new one whose image cannot be had is a config error.
 */
class RbdRuntimeBuilderTest {
    static final String NAA = "60a5854ddddddddddddddddddddddddd";
    static final BiFunction<String, Store, Store> AS_IS = (name, store) -> store;

    @TempDir
    Path dir;

    ServerModel build(String conf, String image, String naa, String size) {
        String json = """
                {"backstores": [
                   {"name": "vm", "type": "rbd", "pool": "rbd", "image": "%s", %s "cephConf": "%s" %s},
                   {"name": "r", "type": "ram", "size": "1M"}],
                 "targets": [{"name": "iqn.2026-11.io.xtarget:a",
                    "luns": [{"lun": 0, "backstore": "vm"}, {"lun": 1, "backstore": "r"}]}]}
                """.formatted(image, size == null ? "" : "\"size\": \"" + size + "\",", conf,
                naa == null ? "" : ", \"naa\": \"" + naa + "\"");
        return RuntimeBuilder.build(ConfigParser.parse(json), dir, OpcodeTable.builder().build(), AS_IS,
                ImageCreation.NEW_ONLY);
    }

    @Test
    void newBackstoreCreatesItsImageAKnownOneDoesNot() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("rb");
        try (ServerModel m = build(conf, image + "-known", NAA, "4M")) {
            LogicalUnit lu = m.unit("vm");
            assertThat(lu.store()).isInstanceOf(MissingStore.class);
            assertThat(lu.missingImage()).isEqualTo("rbd:rbd/" + image + "-known");
            assertThat(((MissingStore) lu.store()).unreachableReason()).isNull();
            assertThat(lu.blockCount()).isEqualTo(4L * 2048);
            assertThat(m.unit("r").missingImage()).isNull();
        }
        try (ServerModel m = build(conf, image, null, "4M")) {
            assertThat(m.unit("vm").store()).isInstanceOf(RbdStore.class);
            assertThat(m.unit("vm").blockCount()).isEqualTo(4L * 2048);
        }
        assertThatThrownBy(() -> build(conf, image + "-nosize", null, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backstores[0]").hasMessageContaining("image does not exist");
    }

    /** Monitors that do not answer: NOT READY for a known backstore after the connect timeout, the RAM LU serves. */
    @Test
    void unreachableClusterGivesANotReadyUnit() throws Exception {
        Path conf = dir.resolve("dead.conf");
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Files.writeString(conf, Files.readString(CephTestCluster.conf())
                .replaceAll("mon host = .*", "mon host = v2:127.0.0.1:" + port));
        try (ServerModel m = build(conf.toString(), "vm", NAA, "4M")) {
            MissingStore s = (MissingStore) m.unit("vm").store();
            assertThat(s.unreachableReason()).contains("connecting to the Ceph cluster", "ETIMEDOUT");
            assertThat(m.unit("vm").missingImage()).isEqualTo("rbd:rbd/vm");
            assertThat(m.unit("r").store().kind()).isEqualTo("ram");
        }
    }
}
