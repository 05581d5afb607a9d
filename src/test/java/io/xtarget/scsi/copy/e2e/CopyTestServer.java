package io.xtarget.scsi.copy.e2e;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.backend.Store;
import io.xtarget.config.AclConfig;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.server.XtargetServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real xtarget for end-to-end copy tests: several backstores of every kind and block size,
 * three targets with different access rules, listening on an ephemeral 127.0.0.1 port.
 *
 * <ul>
 *   <li>target A, open to everyone, copy policy initiator: LUN 0 r512, 1 r4k, 2 f512, 3 f4k,
 *       4 faulty (ram 512 behind a {@link FaultInjectingStore}), 5 slow (ram 512 behind a
 *       {@link ThrottledStore}), 6 blk (a loop device, only as root with losetup);</li>
 *   <li>target B, copy policy port, ACL {@link #HOST} only: LUN 0 b0, LUN 1 r512 read-only;</li>
 *   <li>target C, ACL {@link #OTHER} only: LUN 0 secret, LUN 1 b0.</li>
 * </ul>
 */
final class CopyTestServer implements AutoCloseable {
    static final String HOST = "iqn.2026-11.io.xtarget.test:host";
    static final String OTHER = "iqn.2026-11.io.xtarget.test:other";
    static final String A = "iqn.2026-11.io.xtarget.test:a";
    static final String B = "iqn.2026-11.io.xtarget.test:b";
    static final String C = "iqn.2026-11.io.xtarget.test:c";
    static final long SIZE = 32L << 20;

    static final int R512 = 0, R4K = 1, F512 = 2, F4K = 3, FAULTY = 4, SLOW = 5, BLK = 6;

    final XtargetServer server;
    final FaultInjectingStore faulty;
    final ThrottledStore slow;
    final String loopDevice;
    private final Path loopImage;

    private CopyTestServer(XtargetServer server, FaultInjectingStore faulty, ThrottledStore slow, String loopDevice,
            Path loopImage) {
        this.server = server;
        this.faulty = faulty;
        this.slow = slow;
        this.loopDevice = loopDevice;
        this.loopImage = loopImage;
    }

    static CopyTestServer start(Path dir) throws IOException {
        Path image = dir.resolve("loop.img");
        String loop = attachLoop(image);
        List<BackstoreConfig> bs = new ArrayList<>(List.of(
                ram("r512", 512, SIZE), ram("r4k", 4096, SIZE),
                new BackstoreConfig("f512", BackstoreType.FILE, dir.resolve("f512.img").toString(), SIZE, 512, null,
                        null),
                new BackstoreConfig("f4k", BackstoreType.FILE, dir.resolve("f4k.img").toString(), SIZE, 4096, null,
                        null),
                ram("faulty", 512, 16L << 20), ram("slow", 512, 128L << 20),
                ram("b0", 512, 16L << 20), ram("secret", 512, 16L << 20)));
        List<LunConfig> aLuns = new ArrayList<>(List.of(lun(R512, "r512"), lun(R4K, "r4k"), lun(F512, "f512"),
                lun(F4K, "f4k"), lun(FAULTY, "faulty"), lun(SLOW, "slow")));
        if (loop != null) {
            bs.add(new BackstoreConfig("blk", BackstoreType.BLOCK, loop, null, 512, null, null));
            aLuns.add(lun(BLK, "blk"));
        }
        String portal = "127.0.0.1:0";
        ServerConfig cfg = new ServerConfig(bs, List.of(
                new TargetConfig(A, List.of(portal), CopyAccessPolicy.INITIATOR, aLuns, List.of()),
                new TargetConfig(B, List.of(portal), CopyAccessPolicy.PORT, List.of(),
                        List.of(new AclConfig(HOST, List.of(lun(0, "b0"), new LunConfig(1, "r512", true))))),
                new TargetConfig(C, List.of(portal), CopyAccessPolicy.INITIATOR, List.of(),
                        List.of(new AclConfig(OTHER, List.of(lun(0, "secret"), lun(1, "b0")))))));
        FaultInjectingStore[] f = new FaultInjectingStore[1];
        ThrottledStore[] t = new ThrottledStore[1];
        try {
            XtargetServer s = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults(), (name, store) -> {
                if (name.equals("faulty")) {
                    return f[0] = new FaultInjectingStore(store);
                }
                if (name.equals("slow")) {
                    return t[0] = new ThrottledStore(store);
                }
                return store;
            });
            return new CopyTestServer(s, f[0], t[0], loop, image);
        } catch (IOException | RuntimeException e) {
            detachLoop(loop, image);
            throw e;
        }
    }

    private static BackstoreConfig ram(String name, int bs, long size) {
        return new BackstoreConfig(name, BackstoreType.RAM, null, size, bs, null, null);
    }

    private static LunConfig lun(int n, String backstore) {
        return new LunConfig(n, backstore, false);
    }

    InetSocketAddress address() {
        return server.boundAddresses().get(0);
    }

    String url(String target, int lun) {
        return "iscsi://127.0.0.1:" + address().getPort() + "/" + target + "/" + lun;
    }

    Host login(String target, String initiator) throws IOException {
        IscsiSession s = IscsiSession.open("127.0.0.1", address().getPort(), target,
                InitiatorOptions.defaults().withInitiatorName(initiator));
        return new Host(s);
    }

    LogicalUnit unit(String name) {
        return server.units().stream().filter(u -> u.name().equals(name)).findFirst().orElseThrow();
    }

    boolean hasBlock() {
        return loopDevice != null;
    }

    @Override
    public void close() {
        server.close();
        detachLoop(loopDevice, loopImage);
    }

    // ---- loop device: root and losetup only, else the block cases are skipped ----

    private static String attachLoop(Path image) {
        try {
            if (!"root".equals(System.getProperty("user.name"))) {
                return null;
            }
            try (var raf = new java.io.RandomAccessFile(image.toFile(), "rw")) {
                raf.setLength(SIZE); // sparse
            }
            Process p = new ProcessBuilder("losetup", "-f", "--show", image.toString()).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.startsWith("/dev/")) {
                Files.deleteIfExists(image);
                return null;
            }
            // a test JVM killed mid-run (SIGTERM) must not leave the loop device attached
            Runtime.getRuntime().addShutdownHook(new Thread(() -> detachLoop(out, image), "detach " + out));
            return out;
        } catch (IOException e) {
            return null; // no losetup
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static final java.util.Set<String> DETACHED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void detachLoop(String device, Path image) {
        if (device == null || !DETACHED.add(device + " " + image)) {
            return;
        }
        try {
            new ProcessBuilder("losetup", "-d", device).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
            Files.deleteIfExists(image);
        } catch (IOException e) {
            // best effort
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
