package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.LimitsConfig;
import io.xtarget.iscsi.IscsiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget limits show|set}: the config's "limits" object from the command line. */
class LimitsCommandTest {
    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    Path file() {
        return dir.resolve("x.json");
    }

    /** Runs the CLI against {@code dir/x.json}. */
    Run run(String... args) {
        return List.of(args).contains("--help") ? Cli.run(args) : Cli.run(file(), args);
    }

    String ok(String... args) {
        return run(args).succeeded().out();
    }

    void fails(String error, String... args) throws Exception {
        String before = Files.exists(file()) ? Files.readString(file()) : null;
        Run r = run(args);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("xtarget: " + error + NL);
        assertThat(Files.exists(file()) ? Files.readString(file()) : null).as("the file is left as it was")
                .isEqualTo(before);
    }

    @Test
    void showMarksDefaults() {
        String out = ok("limits", "show");
        int workers = IscsiServer.Options.defaults().workerThreads();
        assertThat(out).isEqualTo(String.join(NL,
                "sessionBuffer         64M      (default)",
                "serverBuffer          1G       (default)",
                "sendTimeoutSeconds    30       (default)",
                "nopIntervalSeconds    30       (default)",
                "nopTimeoutSeconds     30       (default)",
                "loginTimeoutSeconds   30       (default)",
                String.format("workerThreads         %-8d (default: max(16, 8 x %d CPUs))", workers,
                        Runtime.getRuntime().availableProcessors()),
                "loginBackoffMillis    1000     (default)",
                "loginBackoffMaxMillis 60000    (default)") + NL);
        assertThat(file()).doesNotExist(); // showing creates nothing
    }

    @Test
    void setEditsOnlyTheGivenLimitsAndShowSeesThem() throws Exception {
        String out = ok("limits", "set", "--session-buffer", "128M", "--server-buffer", "2G", "--send-timeout", "20");
        assertThat(out).isEqualTo("limits of " + file() + ": sessionBuffer 128M, serverBuffer 2G,"
                + " sendTimeoutSeconds 20 (a running server applies them when restarted)" + NL);
        assertThat(ConfigStore.load(file()).limits())
                .isEqualTo(new LimitsConfig(128L << 20, 2L << 30, 20, null, null, null, null));
        assertThat(Files.readString(file())).contains("\"sessionBuffer\" : \"128M\"")
                .doesNotContain("nopIntervalSeconds");

        ok("limits", "set", "--nop-interval", "10", "--nop-timeout", "5", "--login-timeout", "15",
                "--worker-threads", "8");
        assertThat(ConfigStore.load(file()).limits()).isEqualTo(new LimitsConfig(128L << 20, 2L << 30, 20, 10, 5,
                15, 8));
        ok("limits", "set", "--login-backoff", "250", "--login-backoff-max", "8000");
        assertThat(ConfigStore.load(file()).limits()).isEqualTo(new LimitsConfig(128L << 20, 2L << 30, 20, 10, 5,
                15, 8, 250, 8000));

        String shown = ok("limits", "show");
        assertThat(shown).contains("sessionBuffer         128M" + NL, "sendTimeoutSeconds    20" + NL,
                "workerThreads         8" + NL, "loginBackoffMillis    250" + NL, "loginBackoffMaxMillis 8000" + NL)
                .doesNotContain("(default");
    }

    @Test
    void defaultRemovesALimitAndTheLastOneRemovesTheObject() throws Exception {
        ok("limits", "set", "--send-timeout", "20", "--worker-threads", "8");
        ok("limits", "set", "--worker-threads", "default");
        assertThat(ConfigStore.load(file()).limits()).isEqualTo(new LimitsConfig(null, null, 20, null, null, null,
                null));
        assertThat(ok("limits", "show")).contains("sendTimeoutSeconds    20" + NL).containsPattern("workerThreads +\\d+ +\\(default");
        String out = ok("limits", "set", "--send-timeout", "DEFAULT");
        assertThat(out).contains(": all defaults (");
        assertThat(ConfigStore.load(file()).limits()).isNull();
        assertThat(Files.readString(file())).doesNotContain("limits");
    }

    @Test
    void otherCommandsLeaveLimitsAlone() throws Exception {
        ok("backstore", "create", "ram0", "--type", "ram", "--size", "1M");
        assertThat(Files.readString(file())).doesNotContain("limits");
        ok("limits", "set", "--send-timeout", "20");
        ok("target", "create", "iqn.2026-11.io.xtarget:t1");
        ok("lun", "create", "iqn.2026-11.io.xtarget:t1", "ram0");
        assertThat(ConfigStore.load(file()).limits().sendTimeoutSeconds()).isEqualTo(20);
    }

    @Test
    void refusedValuesAreOneLineNamingTheField() throws Exception {
        ok("limits", "set", "--session-buffer", "128M");
        fails("limits.sessionBuffer: 16M is too small: must be at least 33M, room for the largest command (32M)"
                + " plus the first bursts (up to 256K each) that writes queued behind it hold",
                "limits", "set", "--session-buffer", "16M");
        fails("limits.serverBuffer: 100M is less than sessionBuffer (128M)", "limits", "set", "--server-buffer",
                "100M");
        fails("limits.sessionBuffer: 2G is more than serverBuffer (1G, the default); raise serverBuffer too",
                "limits", "set", "--session-buffer", "2G");
        fails("limits.sendTimeoutSeconds: 0 is out of range 1..3600 seconds", "limits", "set", "--send-timeout", "0");
        fails("limits.nopTimeoutSeconds: 3601 is out of range 1..3600 seconds", "limits", "set", "--nop-timeout",
                "3601");
        fails("limits.workerThreads: 2000 is out of range 1..1024", "limits", "set", "--worker-threads", "2000");
        fails("--session-buffer: \"12X\" is not a size (bytes, or a number with K, M, G or T)", "limits", "set",
                "--session-buffer", "12X");
        fails("--login-timeout: \"1.5\" is not a whole number (or \"default\")", "limits", "set", "--login-timeout",
                "1.5");
        fails("limits.loginBackoffMillis: -1 is out of range 0..3600000 ms", "limits", "set", "--login-backoff", "-1");
        fails("limits.loginBackoffMaxMillis: 0 is out of range 1..3600000 ms", "limits", "set",
                "--login-backoff-max", "0");
        fails("limits.loginBackoffMillis: 90000 is more than loginBackoffMaxMillis (60000, the default); raise"
                + " loginBackoffMaxMillis too", "limits", "set", "--login-backoff", "90000");
        fails("limits.loginBackoffMaxMillis: 500 is less than loginBackoffMillis (1000, the default)", "limits", "set",
                "--login-backoff-max", "500");
        assertThat(ConfigStore.load(file()).limits().sessionBuffer()).isEqualTo(128L << 20);
    }

    @Test
    void usageErrorsAndHelp() {
        Run none = run("limits", "set");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).startsWith("give at least one limit to set").contains("Usage: xtarget limits set");

        Run unknown = run("limits", "set", "--session-bufer", "64M");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("'--session-bufer'", "--session-buffer");

        Run group = run("limits");
        assertThat(group.code()).isEqualTo(2);

        for (String sub : List.of("show", "set")) {
            Run help = run("limits", sub, "--help");
            assertThat(help.code()).isZero();
            assertThat(help.out()).contains("Usage: xtarget limits " + sub, "--config=FILE");
        }
        assertThat(run("limits", "set", "--help").out()).contains("--session-buffer=SIZE", "--server-buffer=SIZE",
                "--send-timeout=SECONDS", "--nop-interval=SECONDS", "--nop-timeout=SECONDS",
                "--login-timeout=SECONDS", "--worker-threads=N", "--login-backoff=MILLIS", "--login-backoff-max=MILLIS",
                "default");
    }

    @Test
    void aBrokenFileIsReportedWithItsName() throws Exception {
        Files.writeString(file(), "{\"limits\": {\"sendTimeoutSeconds\": \"soon\"}}");
        fails(file() + ": limits.sendTimeoutSeconds: expected an integer", "limits", "show");
    }
}
