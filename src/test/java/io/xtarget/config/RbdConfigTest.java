package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.rbd.RbdImageSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The "rbd" backstore type in the config: its fields, their rules, and the JSON round trip. */
class RbdConfigTest {
    private static ServerConfig parse(String backstore) {
        return ConfigParser.parse("{\"backstores\": [" + backstore + "]}");
    }

    @Test
    void parsesAndWritesAnRbdBackstore() {
        ServerConfig c = parse("""
                {"name": "vm1", "type": "rbd", "pool": "rbd", "image": "vm1", "size": "10G", "blockSize": 512,
                 "cephConf": "/etc/ceph/ceph.conf", "user": "admin"}""");
        BackstoreConfig b = c.backstore("vm1");
        assertThat(b.type()).isEqualTo(BackstoreType.RBD);
        assertThat(b.rbd()).isEqualTo(new RbdImageSpec("rbd", "vm1", "/etc/ceph/ceph.conf", "admin"));
        assertThat(b.size()).isEqualTo(10L << 30);
        assertThat(b.path()).isNull();
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"type\" : \"rbd\"", "\"pool\" : \"rbd\"", "\"image\" : \"vm1\"",
                "\"cephConf\" : \"/etc/ceph/ceph.conf\"", "\"user\" : \"admin\"");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
    }

    @Test
    void sizeCephConfAndUserAreOptional() {
        BackstoreConfig b = parse("{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\"}").backstore("v");
        assertThat(b.rbd()).isEqualTo(new RbdImageSpec("p", "i", null, null));
        assertThat(b.size()).isNull();
        assertThat(ConfigWriter.toJson(parse("{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\"}")))
                .doesNotContain("cephConf", "user", "size");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\": \"v\", \"type\": \"rbd\", \"image\": \"i\"}                                 | backstores[0].pool: required",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\"}                                  | backstores[0].image: required",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\", \"path\": \"x\"} | backstores[0].path: not allowed for type rbd",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"a/b\"}              | backstores[0].image: \"a/b\" must not contain",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p@x\", \"image\": \"i\"}              | backstores[0].pool: \"p@x\" must not contain",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\", \"user\": \"client.admin\"} | backstores[0].user: the cephx user without",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\", \"size\": 1000} | backstores[0].size: 1000 is not a positive multiple",
        "{\"name\": \"v\", \"type\": \"file\", \"path\": \"x\", \"pool\": \"p\"}               | backstores[0].pool: only for type rbd, not file",
        "{\"name\": \"v\", \"type\": \"ram\", \"size\": \"1M\", \"cephConf\": \"c\"}            | backstores[0].cephConf: only for type rbd, not ram",
        "{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\", \"softThresholdPercent\": 50} | softThresholdPercent: only for type file",
    })
    void rulesOfTheRbdFields(String backstore, String message) {
        assertThatThrownBy(() -> parse(backstore)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void rbdIsListedAmongTheTypes() {
        assertThatThrownBy(() -> parse("{\"name\": \"v\", \"type\": \"ceph\"}")).hasMessageContaining("\"rbd\"");
        assertThat(BackstoreType.fromJson("rbd")).isEqualTo(BackstoreType.RBD);
    }

    @Test
    void relativeCephConfResolvesAgainstTheConfigDirectory() {
        BackstoreConfig b = parse("{\"name\": \"v\", \"type\": \"rbd\", \"pool\": \"p\", \"image\": \"i\","
                + " \"cephConf\": \"ceph/ceph.conf\"}").backstore("v");
        assertThat(RuntimeBuilder.rbdSpec(b, java.nio.file.Path.of("/etc/xtarget")).cephConf())
                .isEqualTo("/etc/xtarget/ceph/ceph.conf");
        assertThat(RuntimeBuilder.rbdSpec(b.withDesignators(null, null), java.nio.file.Path.of("/x")).image()).isEqualTo("i");
    }
}
