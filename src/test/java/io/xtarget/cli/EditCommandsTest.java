package io.xtarget.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every config-editing command shares ({@link ConfigEdit}): its report, the "no such ..."
 * errors, a failed save, and arguments checked before the file is read. A refused edit exits
 * with 1, prints one line on stderr and nothing on stdout, and leaves the file as it was.
 */
class EditCommandsTest {
    static final String T = "iqn.2026-11.io.xtarget:t1";
    static final String H1 = "iqn.1994-05.com.example:host1";
    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    Path file;

    Run run(Path config, String... args) {
        return Cli.run(config, args);
    }

    void ok(String... args) {
        Run r = run(file, args);
        assertThat(r.code()).as(r.err()).isZero();
    }

    /** A config with backstores ram0 and disk1 (a file), target T with LUN 0 and an ACL for H1, discovery CHAP. */
    @BeforeEach
    void setUp() {
        file = dir.resolve("x.json");
        ok("backstore", "create", "ram0", "--type", "ram", "--size", "1M");
        ok("backstore", "create", "disk1", "--type", "file", "--path", "d.img", "--size", "1M");
        ok("target", "create", T);
        ok("lun", "create", T, "ram0");
        ok("acl", "create", T, H1);
        ok("discovery-auth", "set", "--user", "disc", "--secret", "discsecret12");
    }

    /** Every edit command, each a change that succeeds on the config of {@link #setUp}, with its report. */
    static final List<List<String>> EDITS = List.of(
            List.of("created backstore r2 (ram, 1M, 512-byte blocks) naa.60a5854000000000000000000000abcd",
                    "backstore", "create", "r2", "--type", "ram", "--size", "1M", "--naa", "60A5854000000000000000000000ABCD"),
            List.of("deleted backstore disk1", "backstore", "delete", "disk1"),
            List.of("backstore disk1: soft threshold 90% (a running server applies it on SIGHUP)",
                    "backstore", "set", "disk1", "--soft-threshold", "90"),
            List.of("backstore ram0: enable requested (enableCount 1); send SIGHUP to the running server (kill -HUP PID)"
                    + " to apply", "backstore", "enable", "ram0"),
            List.of("created target iqn.2026-11.io.xtarget:t2 on 127.0.0.1:3262", "target", "create",
                    "iqn.2026-11.io.xtarget:T2", "--portal", "127.0.0.1:3262"),
            List.of("deleted target " + T, "target", "delete", T),
            List.of("set CHAP for " + T + ": user alice", "target", "chap", T, "--user", "alice", "--secret", "0123456789ab"),
            List.of("added portal 127.0.0.1:3261 to " + T, "portal", "create", T, "127.0.0.1:3261"),
            List.of("removed portal 127.0.0.1:3260 from " + T, "portal", "delete", T, "127.0.0.1:3260"),
            List.of("mapped disk1 as LUN 5 (read-only) in " + T, "lun", "create", T, "disk1", "--lun", "5", "--read-only"),
            List.of("mapped disk1 as LUN 1 in " + T + " acl " + H1, "lun", "create", T, "disk1", "--initiator", H1),
            List.of("unmapped LUN 0 from " + T, "lun", "delete", T, "0"),
            List.of("unmapped LUN 0 from " + T + " acl " + H1, "lun", "delete", T, "0", "--initiator", H1),
            List.of("admitted iqn.1994-05.com.example:host2 to " + T, "acl", "create", T, "IQN.1994-05.com.example:host2"),
            List.of("removed ACL " + H1 + " from " + T + NL + "note: " + T + " has no ACL left and admits any initiator",
                    "acl", "delete", T, H1),
            List.of("set CHAP for " + T + " acl " + H1 + ": user bob, mutual user t1", "acl", "chap", T, H1,
                    "--user", "bob", "--secret", "0123456789ab", "--mutual-user", "t1", "--mutual-secret", "ba9876543210"),
            List.of(T + " acl " + H1 + ": resets refused", "acl", "resets", T, H1, "refuse"),
            List.of("set CHAP for discovery: user d (kill -HUP a running server to apply)",
                    "discovery-auth", "set", "--user", "d", "--secret", "0123456789ab"),
            List.of("cleared CHAP for discovery (kill -HUP a running server to apply)", "discovery-auth", "clear"));

    static String[] args(List<String> edit) {
        return edit.subList(1, edit.size()).toArray(String[]::new);
    }

    @Test
    void everyEditSavesAndReports() throws Exception {
        byte[] before = Files.readAllBytes(file);
        for (List<String> edit : EDITS) {
            Files.write(file, before);
            Run r = run(file, args(edit));
            assertThat(r.err()).as(String.join(" ", edit)).isEmpty();
            assertThat(r.code()).isZero();
            assertThat(r.out()).as(String.join(" ", edit)).isEqualTo(edit.getFirst() + NL);
            assertThat(Files.readString(file)).as(String.join(" ", edit)).isNotEqualTo(new String(before, UTF_8));
        }
    }

    /** Run {@code args} against the setUp config: it must fail with exactly {@code error} and change nothing. */
    void refused(String error, String... args) throws Exception {
        byte[] before = Files.readAllBytes(file);
        Run r = run(file, args);
        assertThat(r.err()).as(String.join(" ", args)).isEqualTo("xtarget: " + error + NL);
        assertThat(r.code()).as(String.join(" ", args)).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void everyCommandOnATargetRefusesAnUnknownOneAlike() throws Exception {
        String nope = "IQN.2026-11.io.xtarget:Nope";
        String error = "no target named \"iqn.2026-11.io.xtarget:nope\"";
        refused(error, "target", "delete", nope);
        refused(error, "target", "chap", nope, "--clear");
        refused(error, "portal", "create", nope, "127.0.0.1:3261");
        refused(error, "portal", "delete", nope, "127.0.0.1:3260");
        refused(error, "lun", "create", nope, "ram0");
        refused(error, "lun", "delete", nope, "0");
        refused(error, "acl", "create", nope, H1);
        refused(error, "acl", "delete", nope, H1);
        refused(error, "acl", "chap", nope, H1, "--clear");
        refused(error, "acl", "resets", nope, H1, "allow");
        refused(error, "acl", "list", nope);
    }

    @Test
    void everyCommandOnAnAclOrBackstoreRefusesAnUnknownOneAlike() throws Exception {
        String nobody = "IQN.1994-05.com.example:Nobody";
        String noAcl = "target \"" + T + "\" has no ACL for \"iqn.1994-05.com.example:nobody\"";
        refused(noAcl, "acl", "delete", T, nobody);
        refused(noAcl, "acl", "chap", T, nobody, "--clear");
        refused(noAcl, "acl", "resets", T, nobody, "allow");
        refused(noAcl, "lun", "create", T, "ram0", "--initiator", nobody);
        refused(noAcl, "lun", "delete", T, "0", "--initiator", nobody);
        String noBackstore = "no backstore named \"nope\"";
        refused(noBackstore, "backstore", "delete", "nope");
        refused(noBackstore, "backstore", "set", "nope", "--soft-threshold", "off");
        refused(noBackstore, "backstore", "enable", "nope");
    }

    /**
     * A save that fails (here: the temp file's name, ".NAME.RANDOM.tmp", is longer than the 255
     * bytes a file name may have, though NAME fits) is one line naming the file, exit 1, the old
     * file kept and no report, whatever the command.
     */
    @Test
    void everyEditReportsAFailedSaveAlike() throws Exception {
        Path longName = dir.resolve("x".repeat(245) + ".json");
        Files.copy(file, longName);
        byte[] before = Files.readAllBytes(longName);
        List<List<String>> edits = new ArrayList<>(EDITS);
        edits.add(List.of("", "limits", "set", "--send-timeout", "20"));
        for (List<String> edit : edits) {
            Run r = run(longName, args(edit));
            assertThat(r.err()).as(String.join(" ", edit)).startsWith("xtarget: " + longName + ": cannot write: ")
                    .endsWith(NL).hasLineCount(1);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(Files.readAllBytes(longName)).isEqualTo(before);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    /** Usage errors (exit 2) come before the file is read, so a broken file does not hide them. */
    @Test
    void argumentsAreCheckedBeforeTheFileIsRead() throws Exception {
        Files.writeString(file, "{");
        for (String[] args : new String[][] {{"target", "chap", T, "--user", "alice"},
                {"acl", "chap", T, H1, "--clear", "--user", "a"}, {"acl", "resets", T, H1, "maybe"},
                {"discovery-auth", "set", "--user", "d"}, {"limits", "set"}}) {
            assertThat(run(file, args).code()).as(String.join(" ", args)).isEqualTo(2);
        }
        assertThat(run(file, "target", "delete", T).code()).isEqualTo(1);
        assertThat(Files.readString(file)).isEqualTo("{");
    }
}
