package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.backend.rbd.RbdImageSpec;
import io.xtarget.cli.Cli.Run;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget backstore create --type rbd} creates or checks the image, {@code list} shows it (Ceph test cluster). */
class RbdBackstoreCommandTest {
    @TempDir
    Path dir;

    Run run(String... args) {
        return Cli.run(dir.resolve("x.json"), args);
    }

    @Test
    void createsTheImageAndListsIt() {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("cli");
        Run r = run("backstore", "create", "vm1", "--type", "rbd", "--pool", "rbd", "--image", image, "--size", "8M",
                "--ceph-conf", conf);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("created backstore vm1 (rbd, 8M, 512-byte blocks, rbd:rbd/" + image + " (" + conf + "))");
        var b = ConfigStore.load(dir.resolve("x.json")).backstore("vm1");
        assertThat(b.type()).isEqualTo(BackstoreType.RBD);
        assertThat(b.rbd()).isEqualTo(new RbdImageSpec("rbd", image, conf, null));
        assertThat(b.naa()).isNotNull();
        // the image exists now: a second backstore without --size finds it and takes its size
        r = run("backstore", "create", "vm1b", "--type", "rbd", "--pool", "rbd", "--image", image, "--ceph-conf", conf,
                "--user", "admin", "--block-size", "4096");
        assertThat(r.code()).as(r.err()).isZero();
        r = run("backstore", "list");
        assertThat(r.out()).contains("vm1 ", "rbd", "rbd:rbd/" + image + " (" + conf + ")",
                "rbd:rbd/" + image + " (" + conf + ", client.admin)");
        // without --size a missing image is an error, and nothing is saved
        r = run("backstore", "create", "vm2", "--type", "rbd", "--pool", "rbd", "--image", image + "-none",
                "--ceph-conf", conf);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("--image", "image does not exist");
        assertThat(ConfigStore.load(dir.resolve("x.json")).backstore("vm2")).isNull();
    }

    @Test
    void rbdFieldsAreCheckedBeforeTheCluster() {
        Run r = run("backstore", "create", "vm1", "--type", "rbd", "--image", "x");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("pool: required for type rbd");
        r = run("backstore", "create", "r", "--type", "ram", "--size", "1M", "--pool", "rbd");
        assertThat(r.err()).contains("pool: only for type rbd, not ram");
    }
}
