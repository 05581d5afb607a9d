package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget vhost create|delete|list}, and {@code lun create|delete} on a vhost socket. */
class VhostCommandTest {
    @TempDir
    Path dir;
    Path file;

    Run run(String... args) {
        return Cli.run(file, args);
    }

    String ok(String... args) {
        Run r = run(args);
        assertThat(r.code()).as(r.err()).isZero();
        return r.out();
    }

    String refused(String... args) {
        Run r = run(args);
        assertThat(r.code()).isNotZero();
        assertThat(r.out()).isEmpty();
        return r.err();
    }

    @BeforeEach
    void setUp() {
        file = dir.resolve("x.json");
        ok("backstore", "create", "disk1", "--type", "ram", "--size", "1M");
        ok("backstore", "create", "disk2", "--type", "ram", "--size", "1M");
    }

    @Test
    void createsListsMapsAndDeletes() throws Exception {
        assertThat(ok("vhost", "list")).isEqualTo("no vhost controllers" + System.lineSeparator());
        assertThat(ok("vhost", "create", "/run/xtarget/vm1.sock", "disk1"))
                .contains("created vhost controller /run/xtarget/vm1.sock (1 LUN(s), mode 0600)");
        assertThat(ok("vhost", "create", "/run/xtarget/vm2.sock", "--mode", "0660", "--group", "kvm"))
                .contains("mode 0660, group kvm");
        assertThat(ok("lun", "create", "/run/xtarget/vm1.sock", "disk2", "--lun", "5", "--read-only"))
                .contains("mapped disk2 as LUN 5 (read-only) in vhost /run/xtarget/vm1.sock");
        String list = ok("vhost", "list");
        assertThat(list).contains("/run/xtarget/vm1.sock (mode 0600)", "lun 0 -> disk1", "lun 5 -> disk2 (read-only)",
                "/run/xtarget/vm2.sock (mode 0660, group kvm)", "luns: none");
        assertThat(Files.readString(file)).contains("\"socket\" : \"/run/xtarget/vm1.sock\"");
        assertThat(refused("backstore", "delete", "disk2")).contains("in use by vhost /run/xtarget/vm1.sock lun 5");
        ok("lun", "delete", "/run/xtarget/vm1.sock", "5");
        ok("backstore", "delete", "disk2");
        assertThat(ok("vhost", "delete", "/run/xtarget/vm1.sock")).contains("deleted vhost controller /run/xtarget/vm1.sock");
        assertThat(ok("vhost", "list")).doesNotContain("vm1.sock");
    }

    @Test
    void copyPolicyAndInitiator() throws Exception {
        ok("vhost", "create", "/run/vm1.sock", "disk1", "--copy-policy", "port", "--initiator", "IQN.2026-11.io.example:Vm1");
        String json = Files.readString(file);
        assertThat(json).contains("\"copyPolicy\" : \"port\"", "\"initiator\" : \"iqn.2026-11.io.example:vm1\"");
        assertThat(refused("vhost", "create", "/run/vm2.sock", "--copy-policy", "any")).contains("is not \"initiator\" or \"port\"");
        assertThat(refused("vhost", "create", "/run/vm2.sock", "--initiator", "vm2")).contains("is not an iSCSI name");
    }

    @Test
    void refusals() {
        ok("vhost", "create", "/run/vm1.sock");
        assertThat(refused("vhost", "create", "/run/vm1.sock")).contains("already exists");
        assertThat(refused("vhost", "create", "vm1.sock")).contains("is not an absolute path");
        assertThat(refused("vhost", "create", "/run/vm3.sock", "nope")).contains("no backstore named \"nope\"");
        assertThat(refused("vhost", "create", "/run/vm3.sock", "--mode", "0700")).contains("not an octal mode");
        assertThat(refused("vhost", "delete", "/run/vm9.sock")).contains("no vhost controller on /run/vm9.sock");
        assertThat(refused("lun", "create", "/run/vm9.sock", "disk1")).contains("no vhost controller");
        assertThat(refused("lun", "create", "/run/vm1.sock", "disk1", "-i", "iqn.2020-01.x:y")).contains("no ACLs");
    }
}
