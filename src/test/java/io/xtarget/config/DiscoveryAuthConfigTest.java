package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The top-level "discoveryAuth" object: parsing, validation (the rules of "chap"), writing. */
class DiscoveryAuthConfigTest {
    static final String JSON = """
            {"targets": [{"name": "iqn.2026-11.io.x:t"}],
             "discoveryAuth": {"user": "disc", "secret": "discsecret12", "mutualUser": "xt", "mutualSecret": "targetsecret"}}
            """;

    @TempDir
    Path dir;

    @Test
    void parsesOneWayAndMutualSecrets() {
        assertThat(ConfigParser.parse(JSON).discoveryAuth())
                .isEqualTo(new ChapConfig("disc", "discsecret12", "xt", "targetsecret"));
        assertThat(ConfigParser.parse("""
                {"discoveryAuth": {"user": "disc", "secret": "discsecret12"}}""").discoveryAuth())
                .isEqualTo(new ChapConfig("disc", "discsecret12"));
    }

    @Test
    void absentOrNullMeansDiscoveryIsNotAuthenticated() {
        assertThat(ConfigParser.parse("{\"targets\": []}").discoveryAuth()).isNull();
        assertThat(ConfigParser.parse("{\"discoveryAuth\": null}").discoveryAuth()).isNull();
        assertThat(ConfigWriter.toJson(ServerConfig.EMPTY)).doesNotContain("discoveryAuth");
    }

    @Test
    void writerKeepsTheSecretsAndParsesBack() {
        ServerConfig c = ConfigParser.parse(JSON);
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"discoveryAuth\" : {", "\"mutualSecret\" : \"targetsecret\"");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
    }

    @Test
    void editsOfOtherPartsKeepIt() {
        ServerConfig c = ConfigParser.parse(JSON);
        assertThat(c.withTargets(List.of()).withBackstores(List.of()).withLimits(null).discoveryAuth())
                .isEqualTo(c.discoveryAuth());
        assertThat(c.withDiscoveryAuth(null).discoveryAuth()).isNull();
        assertThat(c.toString()).doesNotContain("discsecret12", "targetsecret");
    }

    @Test
    void theSavedFileIsReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("x.json");
        ConfigStore.save(file, ConfigParser.parse(JSON));
        assertThat(ConfigStore.load(file).discoveryAuth()).isEqualTo(ConfigParser.parse(JSON).discoveryAuth());
        if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
            assertThat(Files.getPosixFilePermissions(file))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
    }

    /** Each case: the "discoveryAuth" value and the exact error. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"user": "u", "secret": "short"}                                      | discoveryAuth.secret: must be 12 to 16 printable characters (RFC 7143 asks for at least 96 bits), got 5 characters
            {"user": "u"}                                                         | discoveryAuth.secret: missing
            {"secret": "discsecret12"}                                            | discoveryAuth.user: missing
            {"user": "", "secret": "discsecret12"}                                | discoveryAuth.user: must not be empty
            {"user": "u", "secret": "discsecret12", "enabled": true}              | discoveryAuth.enabled: unknown property
            {"user": "u", "secret": "discsecret12", "mutualUser": "t"}            | discoveryAuth.mutualSecret: required with mutualUser
            {"user": "u", "secret": "discsecret12", "mutualSecret": "targetsecret"} | discoveryAuth.mutualUser: required with mutualSecret
            {"user": "u", "secret": "discsecret12", "mutualUser": "t", "mutualSecret": "discsecret12"} | discoveryAuth.mutualSecret: must differ from secret
            "disc"                                                                | discoveryAuth: expected a JSON object
            """)
    void errorsNameTheField(String value, String error) {
        String json = "{\"discoveryAuth\": " + value + "}";
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class).hasMessage(error);
    }

    @Test
    void theValidatorChecksConfigsBuiltInCode() {
        ServerConfig c = ServerConfig.EMPTY.withDiscoveryAuth(new ChapConfig("u", "0123456789a\u0000"));
        assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("discoveryAuth.secret: must be 12 to 16 printable");
    }
}
