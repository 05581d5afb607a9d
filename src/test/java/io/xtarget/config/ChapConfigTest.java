package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.iscsi.ChapCredentials;
import io.xtarget.iscsi.IscsiTargetSecurity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The "chap" objects of targets and ACL entries: parsing, validation, writing, runtime model. */
class ChapConfigTest {
    static final String JSON = """
            {"backstores": [{"name": "r", "type": "ram", "size": "1M", "naa": "60a5854aaaaaaaaaaaaaaaaaaaaaaaaa"}],
             "targets": [
               {"name": "iqn.2026-11.io.x:t", "luns": [{"lun": 0, "backstore": "r"}],
                "chap": {"user": "alice", "secret": "alicesecret1", "mutualUser": "t", "mutualSecret": "targetsecret"},
                "acls": [{"initiator": "iqn.2000-01.a:b", "chap": {"user": "bob", "secret": "bobsecret1234"}},
                         {"initiator": "iqn.2000-01.a:c"}]},
               {"name": "iqn.2026-11.io.x:open"}]}
            """;

    @Test
    void parsesTargetAndAclSecrets() {
        ServerConfig c = ConfigParser.parse(JSON);
        TargetConfig t = c.targets().getFirst();
        assertThat(t.chap()).isEqualTo(new ChapConfig("alice", "alicesecret1", "t", "targetsecret"));
        assertThat(t.acls().get(0).chap()).isEqualTo(new ChapConfig("bob", "bobsecret1234"));
        assertThat(t.acls().get(0).effectiveChap(t)).isEqualTo(new ChapConfig("bob", "bobsecret1234"));
        assertThat(t.acls().get(1).chap()).isNull();
        assertThat(t.acls().get(1).effectiveChap(t)).isEqualTo(t.chap());
        assertThat(c.targets().get(1).chap()).isNull();
    }

    @Test
    void writerKeepsTheSecretsAndParsesBack() {
        ServerConfig c = ConfigParser.parse(JSON);
        String json = ConfigWriter.toJson(c);
        assertThat(json).contains("\"mutualSecret\" : \"targetsecret\"");
        assertThat(ConfigParser.parse(json)).isEqualTo(c);
    }

    @Test
    void secretsStayOutOfToString() {
        assertThat(new ChapConfig("alice", "alicesecret1", "t", "targetsecret").toString())
                .contains("alice").doesNotContain("alicesecret1").doesNotContain("targetsecret");
        assertThat(new ChapCredentials("alice", "alicesecret1").toString()).doesNotContain("alicesecret1");
    }

    @Test
    void theIscsiSecurityGivesEachInitiatorItsSecrets() {
        Map<String, IscsiTargetSecurity> security = RuntimeBuilder.security(ConfigParser.parse(JSON));
        IscsiTargetSecurity t = security.get("iqn.2026-11.io.x:t");
        assertThat(t.chapFor("iqn.2000-01.a:b")).isEqualTo(new ChapCredentials("bob", "bobsecret1234"));
        assertThat(t.chapFor("iqn.2000-01.a:c"))
                .isEqualTo(new ChapCredentials("alice", "alicesecret1", "t", "targetsecret"));
        assertThat(security.get("iqn.2026-11.io.x:open").chapFor("iqn.2000-01.a:b")).isNull();
    }

    /** Each case: a "chap" object on the target (first) or on its ACL entry, and the exact error. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"user": "u", "secret": "short"}                                      | targets[0].chap.secret: must be 12 to 16 printable characters (RFC 7143 asks for at least 96 bits), got 5 characters
            {"user": "u", "secret": "seventeen chars.."}                          | targets[0].chap.secret: must be 12 to 16 printable characters (RFC 7143 asks for at least 96 bits), got 17 characters
            {"user": "u"}                                                         | targets[0].chap.secret: missing
            {"secret": "alicesecret1"}                                            | targets[0].chap.user: missing
            {"user": "", "secret": "alicesecret1"}                                | targets[0].chap.user: must not be empty
            {"user": "u", "secret": "alicesecret1", "x": 1}                       | targets[0].chap.x: unknown property
            {"user": "u", "secret": "alicesecret1", "mutualUser": "t"}            | targets[0].chap.mutualSecret: required with mutualUser
            {"user": "u", "secret": "alicesecret1", "mutualSecret": "targetsecret"} | targets[0].chap.mutualUser: required with mutualSecret
            {"user": "u", "secret": "alicesecret1", "mutualUser": "t", "mutualSecret": "alicesecret1"} | targets[0].chap.mutualSecret: must differ from secret
            {"user": "u", "secret": "alicesecret1", "mutualUser": "t", "mutualSecret": "tiny"} | targets[0].chap.mutualSecret: must be 12 to 16 printable characters (RFC 7143 asks for at least 96 bits), got 4 characters
            {"user": "u", "secret": "alicesecret1", "mutualUser": "", "mutualSecret": "targetsecret"} | targets[0].chap.mutualUser: must not be empty
            "alice"                                                               | targets[0].chap: expected a JSON object
            """)
    void targetChapErrors(String chap, String error) {
        String json = """
                {"targets": [{"name": "iqn.2026-11.io.x:t", "chap": %s}]}""".formatted(chap);
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class).hasMessage(error);
    }

    @Test
    void aclChapErrorsNameTheAclEntry() {
        String json = """
                {"targets": [{"name": "iqn.2026-11.io.x:t", "acls": [{"initiator": "iqn.2000-01.a:b"},
                  {"initiator": "iqn.2000-01.a:c", "chap": {"user": "u", "secret": "0123456789a"}}]}]}""";
        assertThatThrownBy(() -> ConfigParser.parse(json)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("targets[0].acls[1].chap.secret: must be 12 to 16");
    }

    @Test
    void aControlCharacterInASecretIsRefused() {
        ServerConfig c = new ServerConfig(List.of(), List.of(new TargetConfig("iqn.2026-11.io.x:t", List.of(),
                io.xtarget.scsi.CopyAccessPolicy.INITIATOR, List.of(), List.of(),
                new ChapConfig("u", "0123456789a\u0000"))));
        assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("targets[0].chap.secret: must be 12 to 16 printable");
    }
}
