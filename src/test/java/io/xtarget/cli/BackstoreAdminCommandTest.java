package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.ServerConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget backstore create --soft-threshold}, {@code set} and {@code enable}. */
class BackstoreAdminCommandTest {
    @TempDir
    Path dir;

    Run run(String... args) {
        return Cli.run(dir.resolve("x.json"), args);
    }

    ServerConfig config() {
        return ConfigStore.load(dir.resolve("x.json"));
    }

    @Test
    void softThresholdIsSetOnCreateChangedAndTurnedOff() {
        Run r = run("backstore", "create", "disk1", "-t", "file", "-p", "d.img", "-s", "4M", "--soft-threshold", "90");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("soft threshold 90%");
        assertThat(config().backstore("disk1").softThresholdPercent()).isEqualTo(90);
        r = run("backstore", "set", "disk1", "--soft-threshold", "75");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("backstore disk1: soft threshold 75% (a running server applies it on SIGHUP)");
        assertThat(config().backstore("disk1").softThresholdPercent()).isEqualTo(75);
        assertThat(run("backstore", "set", "disk1", "--soft-threshold", "off").code()).isZero();
        assertThat(config().backstore("disk1").softThresholdPercent()).isNull();
    }

    @Test
    void badThresholdsAreRefusedNamingTheField() {
        assertThat(run("backstore", "create", "r0", "-t", "ram", "-s", "1M").code()).isZero();
        Run r = run("backstore", "set", "r0", "--soft-threshold", "90");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("softThresholdPercent: only for type file");
        assertThat(run("backstore", "set", "r0", "--soft-threshold", "lots").err()).contains("is not a percentage or off");
        assertThat(run("backstore", "set", "nope", "--soft-threshold", "off").err()).contains("no backstore named \"nope\"");
        assertThat(config().backstore("r0").softThresholdPercent()).isNull();
    }

    @Test
    void enableRaisesTheEnableCountEachTime() {
        assertThat(run("backstore", "create", "disk1", "-t", "file", "-p", "d.img", "-s", "4M").code()).isZero();
        Run r = run("backstore", "enable", "disk1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("backstore disk1: enable requested (enableCount 1); send SIGHUP");
        assertThat(run("backstore", "enable", "disk1").code()).isZero();
        assertThat(config().backstore("disk1").enableCount()).isEqualTo(2);
        assertThat(run("backstore", "enable", "nope").code()).isEqualTo(1);
    }
}
