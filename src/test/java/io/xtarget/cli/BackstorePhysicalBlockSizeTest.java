package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.ConfigStore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code xtarget backstore create ... --physical-block-size}: saved, described, validated. */
class BackstorePhysicalBlockSizeTest {
    @TempDir
    Path dir;

    private String[] run(String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = dir.resolve("x.json").toString();
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(all);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void createSavesItAndDescribesIt() throws Exception {
        String[] r = run("backstore", "create", "e0", "--type", "ram", "--size", "64M", "--physical-block-size", "4096");
        assertThat(r[2]).isEmpty();
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[1]).contains("512-byte blocks (4096-byte physical)");
        assertThat(ConfigStore.load(dir.resolve("x.json")).backstore("e0").physicalBlockSize()).isEqualTo(4096);
        assertThat(Files.readString(dir.resolve("x.json"))).contains("\"physicalBlockSize\" : 4096");
    }

    @Test
    void withoutItNothingIsWritten() throws Exception {
        String[] r = run("backstore", "create", "r0", "--type", "ram", "--size", "64M");
        assertThat(r[0]).isEqualTo("0");
        assertThat(ConfigStore.load(dir.resolve("x.json")).backstore("r0").physicalBlockSize()).isNull();
        assertThat(Files.readString(dir.resolve("x.json"))).doesNotContain("physicalBlockSize");
    }

    @Test
    void anInvalidSizeIsAClearErrorAndNothingIsSaved() {
        String[] r = run("backstore", "create", "e0", "--type", "ram", "--size", "64M", "--block-size", "4096",
                "--physical-block-size", "6144");
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("xtarget: backstores[0].physicalBlockSize: 6144 is not the block size 4096 times"
                + " a power of two, at most 1048576 (e.g. 4096 on 512-byte blocks)" + System.lineSeparator());
        assertThat(dir.resolve("x.json")).doesNotExist();
    }
}
