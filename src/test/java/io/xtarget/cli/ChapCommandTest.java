package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget target chap} and {@code xtarget acl chap}. */
class ChapCommandTest {
    static final String T = "iqn.2026-11.io.xtarget:t1";
    static final String H1 = "iqn.1994-05.com.example:host1";

    @TempDir
    Path dir;

    Run run(String... args) {
        return Cli.run(dir.resolve("x.json"), args);
    }

    Run ok(String... args) {
        return run(args).succeeded();
    }

    TargetConfig target() {
        return ConfigStore.load(dir.resolve("x.json")).target(T);
    }

    @Test
    void setsAndClearsTargetAndAclSecrets() {
        ok("backstore", "create", "ram0", "--type", "ram", "--size", "1M");
        ok("target", "create", T);
        ok("lun", "create", T, "ram0");
        ok("acl", "create", T, H1);
        Run set = ok("target", "chap", T, "--user", "alice", "--secret", "alicesecret1", "--mutual-user", "t1",
                "--mutual-secret", "targetsecret");
        assertThat(set.out()).isEqualTo("set CHAP for " + T + ": user alice, mutual user t1" + System.lineSeparator());
        ok("acl", "chap", T, H1, "--user", "host1", "--secret", "host1secret1");
        assertThat(target().chap()).isEqualTo(new ChapConfig("alice", "alicesecret1", "t1", "targetsecret"));
        assertThat(target().acls().getFirst().chap()).isEqualTo(new ChapConfig("host1", "host1secret1"));

        // Mapping LUNs for the ACL keeps its secrets.
        ok("lun", "create", T, "ram0", "--initiator", H1, "--lun", "3");
        assertThat(target().acls().getFirst().chap()).isEqualTo(new ChapConfig("host1", "host1secret1"));
        assertThat(target().acls().getFirst().luns()).containsExactly(new LunConfig(0, "ram0", false),
                new LunConfig(3, "ram0", false));

        Run list = ok("target", "list");
        assertThat(list.out()).contains("  chap: user alice, mutual user t1", "(chap: user host1)")
                .doesNotContain("alicesecret1", "targetsecret", "host1secret1");
        assertThat(ok("acl", "list", T).out()).contains(H1 + " (chap: user host1)");

        assertThat(ok("acl", "chap", T, H1, "--clear").out()).contains("cleared CHAP for " + T + " acl " + H1);
        assertThat(target().acls().getFirst().chap()).isNull();
        ok("target", "chap", T, "--clear");
        assertThat(target().chap()).isNull();
    }

    @Test
    void weakSecretsAndBadCombinationsAreRefused() {
        ok("target", "create", T);
        Run weak = run("target", "chap", T, "--user", "alice", "--secret", "short");
        assertThat(weak.code()).isEqualTo(1);
        assertThat(weak.err()).isEqualTo("xtarget: targets[0].chap.secret: must be 12 to 16 printable characters"
                + " (RFC 7143 asks for at least 96 bits), got 5 characters" + System.lineSeparator());
        Run same = run("target", "chap", T, "--user", "alice", "--secret", "alicesecret1", "--mutual-user", "t",
                "--mutual-secret", "alicesecret1");
        assertThat(same.code()).isEqualTo(1);
        assertThat(same.err()).contains("mutualSecret: must differ from secret");
        assertThat(target().chap()).isNull(); // nothing saved

        assertThat(run("target", "chap", T, "--user", "alice").code()).isEqualTo(2);
        assertThat(run("target", "chap", T, "--clear", "--user", "alice").code()).isEqualTo(2);
        assertThat(run("target", "chap", T, "--user", "a", "--secret", "alicesecret1", "--mutual-user", "t").code())
                .isEqualTo(2);
        Run noAcl = run("acl", "chap", T, H1, "--user", "host1", "--secret", "host1secret1");
        assertThat(noAcl.code()).isEqualTo(1);
        assertThat(noAcl.err()).contains("has no ACL for");
        Run noTarget = run("target", "chap", "iqn.2026-11.io.xtarget:nope", "--clear");
        assertThat(noTarget.err()).contains("no target named");
        assertThat(ConfigStore.load(dir.resolve("x.json"))).isEqualTo(new ServerConfig(List.of(),
                List.of(target())));
    }
}
