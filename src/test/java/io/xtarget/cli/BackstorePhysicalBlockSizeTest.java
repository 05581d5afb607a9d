package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.ConfigStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget backstore create ... --physical-block-size}: saved, described, validated. */
class BackstorePhysicalBlockSizeTest {
    @TempDir
    Path dir;

    private Run run(String... args) {
        return Cli.run(dir.resolve("x.json"), args);
    }

    @Test
    void createSavesItAndDescribesIt() throws Exception {
        Run r = run("backstore", "create", "e0", "--type", "ram", "--size", "64M", "--physical-block-size", "4096");
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("512-byte blocks (4096-byte physical)");
        assertThat(ConfigStore.load(dir.resolve("x.json")).backstore("e0").physicalBlockSize()).isEqualTo(4096);
        assertThat(Files.readString(dir.resolve("x.json"))).contains("\"physicalBlockSize\" : 4096");
    }

    @Test
    void withoutItNothingIsWritten() throws Exception {
        Run r = run("backstore", "create", "r0", "--type", "ram", "--size", "64M");
        assertThat(r.code()).isZero();
        assertThat(ConfigStore.load(dir.resolve("x.json")).backstore("r0").physicalBlockSize()).isNull();
        assertThat(Files.readString(dir.resolve("x.json"))).doesNotContain("physicalBlockSize");
    }

    @Test
    void anInvalidSizeIsAClearErrorAndNothingIsSaved() {
        Run r = run("backstore", "create", "e0", "--type", "ram", "--size", "64M", "--block-size", "4096",
                "--physical-block-size", "6144");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("xtarget: backstores[0].physicalBlockSize: 6144 is not the block size 4096 times"
                + " a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)" + System.lineSeparator());
        assertThat(dir.resolve("x.json")).doesNotExist();
    }
}
