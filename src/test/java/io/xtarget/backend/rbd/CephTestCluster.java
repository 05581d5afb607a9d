package io.xtarget.backend.rbd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Ceph cluster the RBD tests use: the one $XT_CEPH_CONF names, or else one started once per
 * test JVM by tools/ceph-test-cluster.sh (1 mon, 1 mgr, 1 memstore OSD on 127.0.0.1, about 10 s)
 * and stopped by a shutdown hook. Tests call {@link #conf()} first: it skips them (a JUnit
 * assumption, with the reason) where Ceph or librbd is not installed.
 */
public final class CephTestCluster {
    private static Path conf;
    private static String failure;

    private CephTestCluster() {}

    /** The cluster's ceph.conf; skips the calling test when there is no cluster to be had. */
    public static synchronized Path conf() {
        if (conf == null && failure == null) {
            try {
                conf = start();
            } catch (IOException | InterruptedException | RuntimeException e) {
                failure = e.getMessage();
            }
        }
        assumeTrue(conf != null, () -> "no Ceph test cluster: " + failure);
        return conf;
    }

    /** A fresh image name, unique in the test cluster's pool "rbd". */
    public static String imageName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A spec of a fresh image in pool "rbd" of the test cluster, as client.admin. */
    public static RbdImageSpec newImage(String prefix) {
        return new RbdImageSpec("rbd", imageName(prefix), conf().toString(), null);
    }

    private static Path start() throws IOException, InterruptedException {
        String given = System.getenv("XT_CEPH_CONF");
        if (given != null && !given.isBlank()) {
            return Path.of(given);
        }
        if (!RbdStore.libraryAvailable()) {
            throw new IOException("librbd1 is not installed (apt-get install ceph-mon ceph-osd ceph-mgr ceph-common librbd1)");
        }
        for (String bin : new String[] {"ceph-mon", "ceph-osd", "ceph-mgr", "ceph"}) {
            if (!onPath(bin)) {
                throw new IOException(bin + " is not installed (apt-get install ceph-mon ceph-osd ceph-mgr ceph-common)");
            }
        }
        Path script = Path.of("tools/ceph-test-cluster.sh").toAbsolutePath();
        Path dir = Files.createTempDirectory("xt-ceph-");
        Files.delete(dir); // the script wants to lay it out itself
        int port = 40000 + 2 * ThreadLocalRandom.current().nextInt(2000);
        Path log = Files.createTempFile("xt-ceph-start", ".log");
        Process p = new ProcessBuilder("bash", script.toString(), "start", dir.toString(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            stop(script, dir);
            throw new IOException("tools/ceph-test-cluster.sh start failed: " + Files.readString(log, StandardCharsets.UTF_8));
        }
        Files.deleteIfExists(log);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(script, dir)));
        return dir.resolve("ceph.conf");
    }

    private static void stop(Path script, Path dir) {
        try {
            new ProcessBuilder("bash", script.toString(), "stop", dir.toString()).inheritIO().start()
                    .waitFor(30, TimeUnit.SECONDS);
            new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort at JVM exit
        }
    }

    private static boolean onPath(String bin) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, bin))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", bin)) || Files.isExecutable(Path.of("/usr/bin", bin));
    }
}
