package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.AclConfig;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.LunConfig;
import io.xtarget.config.TargetConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget acl resets}: an ACL's explicit reset grant, set, shown and cleared. */
class AclResetsCommandTest {
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

    AclConfig acl() {
        TargetConfig t = ConfigStore.load(dir.resolve("x.json")).target(T);
        return t.acls().getFirst();
    }

    @Test
    void setsShowsAndClearsTheGrant() {
        ok("backstore", "create", "ram0", "--type", "ram", "--size", "1M");
        ok("target", "create", T);
        ok("lun", "create", T, "ram0", "--read-only");
        ok("acl", "create", T, H1);
        assertThat(acl().resets()).isNull();
        assertThat(ok("target", "list").out()).contains("  acl " + H1 + " (the target's LUNs)" + System.lineSeparator());

        assertThat(ok("acl", "resets", T, H1, "allow").out()).contains(T + " acl " + H1 + ": resets allowed");
        assertThat(acl().resets()).isTrue();
        assertThat(acl().luns()).isNull(); // nothing else changed
        assertThat(ok("target", "list").out()).contains("  acl " + H1 + " (the target's LUNs) (resets allowed)");
        assertThat(ok("acl", "list", T).out()).contains(H1 + " (the target's LUNs) (resets allowed)");

        ok("lun", "create", T, "ram0", "--initiator", H1, "--lun", "3");
        assertThat(ok("acl", "resets", T, H1, "REFUSE").out()).contains("resets refused");
        assertThat(acl().resets()).isFalse();
        assertThat(acl().luns()).contains(new LunConfig(3, "ram0", false));
        assertThat(ok("acl", "list", T).out()).contains(H1 + " (resets refused)");

        assertThat(ok("acl", "resets", T, H1, "default").out()).contains("resets by the default rule");
        assertThat(acl().resets()).isNull();
        assertThat(ok("acl", "list", T).out()).doesNotContain("resets");
    }

    @Test
    void refusesABadValueAndAnUnknownAcl() {
        ok("target", "create", T);
        ok("acl", "create", T, H1);
        Run bad = run("acl", "resets", T, H1, "maybe");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("expected allow, refuse or default, got 'maybe'");
        assertThat(acl().resets()).isNull();
        Run unknown = run("acl", "resets", T, "iqn.1994-05.com.example:nobody", "allow");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(ok("acl", "resets", "--help").out()).contains("Usage: xtarget acl resets", "allow|refuse|default");
    }
}
