package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.ServerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code xtarget discovery-auth set|clear|show}. */
class DiscoveryAuthCommandTest {
    static final String T = "iqn.2026-11.io.xtarget:t1";
    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    Run run(String... args) {
        return Cli.run(file(), args);
    }

    Run ok(String... args) {
        return run(args).succeeded();
    }

    Path file() {
        return dir.resolve("x.json");
    }

    ChapConfig saved() {
        return ConfigStore.load(file()).discoveryAuth();
    }

    @Test
    void setsShowsAndClearsWithoutPrintingSecrets() throws Exception {
        ok("target", "create", T);
        assertThat(ok("discovery-auth", "show").out())
                .isEqualTo("discovery: no authentication (any initiator may list the targets its ACLs admit)" + NL);

        Run set = ok("discovery-auth", "set", "--user", "disc", "--secret", "discsecret12");
        assertThat(set.out()).isEqualTo("set CHAP for discovery: user disc (kill -HUP a running server to apply)" + NL);
        assertThat(saved()).isEqualTo(new ChapConfig("disc", "discsecret12"));

        Run mutual = ok("discovery-auth", "set", "--user", "disc", "--secret", "discsecret12", "--mutual-user", "xt",
                "--mutual-secret", "targetsecret");
        assertThat(mutual.out()).contains("user disc, mutual user xt").doesNotContain("discsecret12", "targetsecret");
        assertThat(saved()).isEqualTo(new ChapConfig("disc", "discsecret12", "xt", "targetsecret"));
        assertThat(Files.readString(file())).contains("\"discoveryAuth\"");

        Run show = ok("discovery-auth", "show");
        assertThat(show.out()).isEqualTo("discovery: CHAP required, user disc, mutual user xt" + NL);
        assertThat(ok("target", "list").out()).doesNotContain("discsecret12", "targetsecret");

        // Editing other parts keeps the discovery secrets.
        ok("target", "chap", T, "--user", "alice", "--secret", "alicesecret1");
        assertThat(saved()).isEqualTo(new ChapConfig("disc", "discsecret12", "xt", "targetsecret"));

        assertThat(ok("discovery-auth", "clear").out())
                .isEqualTo("cleared CHAP for discovery (kill -HUP a running server to apply)" + NL);
        assertThat(saved()).isNull();
        assertThat(ConfigStore.load(file()).target(T).chap()).isEqualTo(new ChapConfig("alice", "alicesecret1"));
    }

    @Test
    void weakSecretsAndBadCombinationsAreRefusedAndNothingIsSaved() {
        ok("target", "create", T);
        ServerConfig before = ConfigStore.load(file());
        Run weak = run("discovery-auth", "set", "--user", "disc", "--secret", "short");
        assertThat(weak.code()).isEqualTo(1);
        assertThat(weak.err()).isEqualTo("xtarget: discoveryAuth.secret: must be 12 to 16 printable characters"
                + " (RFC 7143 asks for at least 96 bits), got 5 characters" + NL);
        Run same = run("discovery-auth", "set", "--user", "disc", "--secret", "discsecret12", "--mutual-user", "xt",
                "--mutual-secret", "discsecret12");
        assertThat(same.code()).isEqualTo(1);
        assertThat(same.err()).contains("discoveryAuth.mutualSecret: must differ from secret");

        assertThat(run("discovery-auth", "set", "--user", "disc").code()).isEqualTo(2);
        assertThat(run("discovery-auth", "set", "--secret", "discsecret12").code()).isEqualTo(2);
        assertThat(run("discovery-auth", "set", "--user", "d", "--secret", "discsecret12", "--mutual-user", "xt")
                .code()).isEqualTo(2);
        assertThat(run("discovery-auth", "set", "--clear").code()).as("clear is a subcommand").isEqualTo(2);
        assertThat(run("discovery-auth").code()).isEqualTo(2);
        assertThat(ConfigStore.load(file())).isEqualTo(before);
    }

    @Test
    void helpNamesTheOptions() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("discovery-auth", "set", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: xtarget discovery-auth set", "--user=NAME", "--secret=SECRET",
                "--mutual-user=NAME", "--mutual-secret=SECRET", "--config=FILE").doesNotContain("--clear");
    }
}
