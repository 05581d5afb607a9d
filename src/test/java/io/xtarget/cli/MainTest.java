package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.AclConfig;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.scsi.CopyAccessPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    static final String T = "iqn.2026-11.io.xtarget:t1";
    static final String H1 = "iqn.1994-05.com.example:host1";

    @TempDir
    Path dir;

    /** Runs the CLI against {@code dir/x.json}. */
    Run run(String... args) {
        return !List.of(args).contains("--help") && args.length > 1 ? Cli.run(dir.resolve("x.json"), args)
                : Cli.run(args);
    }

    ServerConfig config() {
        return ConfigStore.load(dir.resolve("x.json"));
    }

    void ok(String... args) {
        run(args).succeeded();
    }

    void fails(String error, String... args) {
        Run r = run(args);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("xtarget: " + error + System.lineSeparator());
    }

    @Test
    void buildsAConfigStepByStep() {
        ok("backstore", "create", "ram0", "--type", "ram", "--size", "64M");
        ok("backstore", "create", "disk1", "--type", "file", "--path", "disk1.img", "--size", "1G", "--block-size", "4096");
        ok("target", "create", "IQN.2026-11.io.xtarget:T1");
        ok("portal", "create", T, "127.0.0.1:3261");
        ok("lun", "create", T, "ram0");
        ok("lun", "create", T, "disk1", "--read-only");
        ok("acl", "create", T, H1);
        ok("lun", "create", T, "disk1", "--initiator", H1, "--lun", "7");

        ServerConfig c = config();
        assertThat(c.backstores()).extracting(BackstoreConfig::name).containsExactly("ram0", "disk1");
        BackstoreConfig disk = c.backstore("disk1");
        assertThat(disk.type()).isEqualTo(BackstoreType.FILE);
        assertThat(disk.size()).isEqualTo(1L << 30);
        assertThat(disk.blockSize()).isEqualTo(4096);
        assertThat(disk.naa()).startsWith("60a5854");
        assertThat(c.targets()).containsExactly(new TargetConfig(T, List.of("127.0.0.1:3260", "127.0.0.1:3261"),
                CopyAccessPolicy.INITIATOR,
                List.of(new LunConfig(0, "ram0", false), new LunConfig(1, "disk1", true)),
                List.of(new AclConfig(H1, List.of(new LunConfig(0, "ram0", false), new LunConfig(1, "disk1", true),
                        new LunConfig(7, "disk1", false))))));

        Run list = run("target", "list");
        assertThat(list.out()).contains(
                T + " (copy policy initiator)",
                "  portals: 127.0.0.1:3260, 127.0.0.1:3261",
                "  lun 1 -> disk1 (read-only)",
                "  acl " + H1,
                "    lun 7 -> disk1");
        assertThat(run("backstore", "list").out()).contains("disk1", "file", "1G", "4096", disk.naa(), "disk1.img");
        assertThat(run("acl", "list", T).out()).contains(H1, "  lun 7 -> disk1");

        // and take it apart again
        ok("lun", "delete", T, "7", "--initiator", H1);
        Run aclDel = run("acl", "delete", T, H1);
        assertThat(aclDel.out()).contains("admits any initiator");
        ok("lun", "delete", T, "1");
        ok("portal", "delete", T, "127.0.0.1:3261");
        ok("backstore", "delete", "disk1");
        ok("target", "delete", T);
        ok("backstore", "delete", "ram0");
        assertThat(config()).isEqualTo(ServerConfig.EMPTY);
    }

    @Test
    void nullBackstore() {
        Run created = run("backstore", "create", "null0", "--type", "NULL", "--size", "10G", "--block-size", "4096");
        assertThat(created.err()).isEmpty();
        assertThat(created.code()).isZero();
        BackstoreConfig b = config().backstore("null0");
        assertThat(created.out()).isEqualTo("created backstore null0 (null, 10G, 4096-byte blocks) naa." + b.naa()
                + System.lineSeparator());
        assertThat(b.type()).isEqualTo(BackstoreType.NULL);
        assertThat(b.size()).isEqualTo(10L << 30);
        assertThat(b.path()).isNull();
        ok("target", "create", T);
        ok("lun", "create", T, "null0");
        assertThat(run("backstore", "list").out()).containsPattern("null0 +null +10G +4096 " + b.naa() + " +-");
        assertThat(run("target", "list").out()).contains("  lun 0 -> null0");
        Run help = run("backstore", "create", "--help");
        assertThat(help.out()).contains("ram, file, block or null", "--type null --size 10G");
    }

    /** serve never creates a missing image of a backstore with a saved NAA, so create makes it now. */
    @Test
    void aFileBackstoreGetsItsImageWhenCreatedAndABlockDeviceMustExist() throws Exception {
        ok("backstore", "create", "disk1", "--type", "file", "--path", "img/disk1.img", "--size", "8M");
        assertThat(Files.size(dir.resolve("img/disk1.img"))).isEqualTo(8L << 20);
        Files.write(dir.resolve("old.img"), new byte[4096]);
        ok("backstore", "create", "old", "--type", "file", "--path", "old.img"); // an existing image keeps its size
        assertThat(Files.size(dir.resolve("old.img"))).isEqualTo(4096);
        fails("--path: " + dir.resolve("none.img") + " does not exist and no size was given to create it",
                "backstore", "create", "none", "--type", "file", "--path", "none.img");
        fails("--path: " + dir.resolve("no-such-dev") + " does not exist",
                "backstore", "create", "raw", "--type", "block", "--path", "no-such-dev");
        assertThat(config().backstores()).extracting(BackstoreConfig::name).containsExactly("disk1", "old");
    }

    @Test
    void errorsAreOneLineNamingTheProblem() {
        fails("backstores[0].size: required for type ram", "backstore", "create", "r", "--type", "ram");
        assertThat(Files.exists(dir.resolve("x.json"))).isFalse(); // nothing saved
        fails("--size: \"12Q\" is not a size (bytes, or a number with K, M, G or T)", "backstore", "create", "r", "--type", "ram", "--size", "12Q");
        fails("--type: \"tape\" is not one of \"ram\", \"file\", \"block\", \"null\", \"rbd\"", "backstore", "create", "r", "--type", "tape");
        fails("backstores[0].size: required for type null", "backstore", "create", "r", "--type", "null");
        fails("backstores[0].path: not allowed for type null", "backstore", "create", "r", "--type", "null", "--size", "1G",
                "--path", "x.img");
        fails("backstores[0].blockSize: must be 512 or 4096, not 1000", "backstore", "create", "r", "--type", "ram", "--size", "1M", "-b", "1000");
        ok("backstore", "create", "r", "--type", "ram", "--size", "1M");
        fails("backstore \"r\" already exists", "backstore", "create", "r", "--type", "ram", "--size", "1M");
        fails("no backstore named \"q\"", "backstore", "delete", "q");
        fails("targets[0].name: \"demo\" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)",
                "target", "create", "demo");
        fails("--portal: \"x y\" is not HOST:PORT", "target", "create", T, "--portal", "x y");
        fails("--copy-policy: \"all\" is not \"initiator\" or \"port\"", "target", "create", T, "--copy-policy", "all");
        ok("target", "create", T, "--copy-policy", "port");
        fails("target \"" + T + "\" already exists", "target", "create", T);
        fails("no target named \"iqn.2026-11.io.xtarget:nope\"", "lun", "create", "iqn.2026-11.io.xtarget:nope", "r");
        fails("targets[0].luns[0].backstore: no backstore named \"zz\"", "lun", "create", T, "zz");
        fails("targets[0].luns[0].lun: 20000 is out of range 0..16383", "lun", "create", T, "r", "--lun", "20000");
        ok("lun", "create", T, "r", "--lun", "3");
        fails("LUN 3 is already mapped in " + T, "lun", "create", T, "r", "--lun", "3");
        fails("no LUN 4 in " + T, "lun", "delete", T, "4");
        fails("backstore \"r\" is in use by " + T + " lun 3; delete those LUNs first", "backstore", "delete", "r");
        fails("target \"" + T + "\" already has portal 127.0.0.1:3260", "portal", "create", T, "127.0.0.1");
        fails("target \"" + T + "\" has no portal 127.0.0.1:9", "portal", "delete", T, "127.0.0.1:9");
        fails("targets[0].acls[0].initiator: \"bob\" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)",
                "acl", "create", T, "bob");
        fails("target \"" + T + "\" has no ACL for \"" + H1 + "\"", "lun", "create", T, "r", "--initiator", H1);
        ok("acl", "create", T, H1.toUpperCase());
        fails("target \"" + T + "\" already has an ACL for \"" + H1 + "\"", "acl", "create", T, H1);
        assertThat(config().targets().getFirst().copyPolicy()).isEqualTo(CopyAccessPolicy.PORT);
    }

    @Test
    void brokenConfigFilesAreReportedWithTheirName() throws Exception {
        Files.writeString(dir.resolve("x.json"), "{\"backstores\": [{\"name\": \"a\", \"type\": \"ram\", \"size\": \"1M\", \"x\": 1}]}");
        fails(dir.resolve("x.json") + ": backstores[0].x: unknown property", "backstore", "list");
    }

    @Test
    void usageErrorsAndHelp() {
        Run none = run();
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("Missing required subcommand", "backstore", "target", "portal", "lun", "acl");
        Run group = run("backstore");
        assertThat(group.code()).isEqualTo(2);
        Run missingType = run("backstore", "create", "r");
        assertThat(missingType.code()).isEqualTo(2);
        assertThat(missingType.err()).contains("Missing required option: '--type=TYPE'");
        for (String[] cmd : new String[][] {{"backstore", "create"}, {"backstore", "delete"}, {"backstore", "list"},
                {"target", "create"}, {"target", "delete"}, {"target", "list"}, {"portal", "create"}, {"portal", "delete"},
                {"lun", "create"}, {"lun", "delete"}, {"acl", "create"}, {"acl", "delete"}, {"acl", "list"}}) {
            Run help = run(cmd[0], cmd[1], "--help");
            assertThat(help.code()).as(String.join(" ", cmd)).isZero();
            assertThat(help.out()).contains("Usage: xtarget " + cmd[0] + " " + cmd[1], "--config=FILE");
        }
    }

    @Test
    void listsOfAnEmptyConfig() {
        assertThat(run("backstore", "list").out()).isEqualTo("no backstores" + System.lineSeparator());
        assertThat(run("target", "list").out()).isEqualTo("no targets" + System.lineSeparator());
        assertThat(Files.exists(dir.resolve("x.json"))).isFalse(); // listing does not create the file
    }
}
