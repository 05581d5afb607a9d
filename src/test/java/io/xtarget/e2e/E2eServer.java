package io.xtarget.e2e;

import io.xtarget.backend.Store;
import io.xtarget.config.AclConfig;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.ImageCreation;
import io.xtarget.config.LimitsConfig;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.server.XtargetServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A real {@link XtargetServer} for end-to-end tests, configured the way {@code xtarget serve
 * --config} is: the config is saved to {@code dir/xtarget.json} (which fills in and persists the
 * NAA designators and serials), loaded back, and served with {@code dir} as base directory. A
 * {@link #restart()} reloads the same file, so device identities and file backstores carry over.
 *
 * <p>Portals default to {@code 127.0.0.1:0} (one ephemeral port shared by every target); the
 * bound port changes across restarts, so always ask {@link #url} for the current one.
 */
public final class E2eServer implements AutoCloseable {
    public static final String TARGET = "iqn.2026-11.io.xtarget:e2e";
    public static final String EPHEMERAL = "127.0.0.1:0";
    public static final long MIB = 1L << 20;
    /** The standard layout: LUN 0 RAM 512-byte blocks, LUN 1 RAM 4096, LUN 2 a file disk. */
    public static final int LUN_RAM512 = 0;
    public static final int LUN_RAM4K = 1;
    public static final int LUN_FILE = 2;

    private final Path dir;
    private final Path configFile;
    private final BiFunction<String, Store, Store> wrap;
    private ServerConfig config;
    private XtargetServer server;
    /** Backstores built without an NAA: new at the first start, as a hand-written config served for the first time. */
    private ImageCreation firstStart;

    private E2eServer(Path dir, ServerConfig config, BiFunction<String, Store, Store> wrap) {
        this.dir = dir;
        this.configFile = dir.resolve("xtarget.json");
        this.wrap = wrap;
        this.firstStart = ImageCreation.NEW_ONLY.withNewOf(config);
        ConfigStore.save(configFile, config);
    }

    /** The standard server: RAM 512, RAM 4096 and a file disk, open to every initiator. */
    public static E2eServer standard(Path dir) throws IOException {
        return standard(dir, (name, store) -> store);
    }

    public static E2eServer standard(Path dir, BiFunction<String, Store, Store> wrap) throws IOException {
        return builder(dir).wrap(wrap).standardLayout().start();
    }

    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Collects backstores and targets, then {@link #start()}s. */
    public static final class Builder {
        private final Path dir;
        private final List<BackstoreConfig> backstores = new ArrayList<>();
        private final List<TargetConfig> targets = new ArrayList<>();
        private LimitsConfig limits;
        private ChapConfig discoveryAuth;
        private BiFunction<String, Store, Store> wrap = (name, store) -> store;

        private Builder(Path dir) {
            this.dir = dir;
        }

        public Builder ram(String name, long bytes, int blockSize) {
            backstores.add(new BackstoreConfig(name, BackstoreType.RAM, null, bytes, blockSize, null, null));
            return this;
        }

        /** A RAM backstore whose LU reports {@code physicalBlockSize}-byte physical blocks (e.g. 512e). */
        public Builder ram(String name, long bytes, int blockSize, int physicalBlockSize) {
            backstores.add(new BackstoreConfig(name, BackstoreType.RAM, null, bytes, blockSize, null, null, false,
                    physicalBlockSize, null, 0));
            return this;
        }

        /** A RAM backstore whose LU reports a removable medium (config {@code "removable": true}). */
        public Builder removableRam(String name, long bytes, int blockSize) {
            backstores.add(new BackstoreConfig(name, BackstoreType.RAM, null, bytes, blockSize, null, null, true));
            return this;
        }

        /** A sparse file disk at {@code relativePath} under the server directory, created if missing. */
        public Builder file(String name, String relativePath, long bytes, int blockSize) {
            backstores.add(new BackstoreConfig(name, BackstoreType.FILE, relativePath, bytes, blockSize, null, null));
            return this;
        }

        /** Any backstore (e.g. with a soft threshold). */
        public Builder backstore(BackstoreConfig b) {
            backstores.add(b);
            return this;
        }

        /** A block device backstore; its size is the device's. */
        public Builder block(String name, Path device, int blockSize) {
            backstores.add(new BackstoreConfig(name, BackstoreType.BLOCK, device.toString(), null, blockSize, null,
                    null));
            return this;
        }

        /** A target open to every initiator (no ACL). */
        public Builder target(String name, List<String> portals, List<LunConfig> luns) {
            return target(name, portals, luns, List.of());
        }

        public Builder target(String name, List<String> portals, List<LunConfig> luns, List<AclConfig> acls) {
            targets.add(new TargetConfig(name, portals, CopyAccessPolicy.INITIATOR, luns, acls));
            return this;
        }

        /** Any target config (e.g. with CHAP secrets). */
        public Builder target(TargetConfig t) {
            targets.add(t);
            return this;
        }

        /** The config's {@code "limits"} object (none by default: every limit at its default). */
        public Builder limits(LimitsConfig l) {
            this.limits = l;
            return this;
        }

        /** The config's {@code "discoveryAuth"} (none by default: discovery is not authenticated). */
        public Builder discoveryAuth(ChapConfig chap) {
            this.discoveryAuth = chap;
            return this;
        }

        public Builder wrap(BiFunction<String, Store, Store> w) {
            this.wrap = w;
            return this;
        }

        /** RAM 64 MiB / 512, RAM 64 MiB / 4096 and a 64 MiB sparse file disk / 512 as LUNs 0, 1, 2 of {@link #TARGET}. */
        public Builder standardLayout() {
            ram("ram512", 64 * MIB, 512);
            ram("ram4k", 64 * MIB, 4096);
            file("file0", "disk0.img", 64 * MIB, 512);
            return target(TARGET, List.of(EPHEMERAL), List.of(rw(LUN_RAM512, "ram512"), rw(LUN_RAM4K, "ram4k"),
                    rw(LUN_FILE, "file0")));
        }

        public E2eServer start() throws IOException {
            E2eServer s = new E2eServer(dir, new ServerConfig(backstores, targets, limits, discoveryAuth), wrap);
            s.startServer();
            return s;
        }
    }

    public static LunConfig rw(int lun, String backstore) {
        return new LunConfig(lun, backstore, false);
    }

    public static LunConfig ro(int lun, String backstore) {
        return new LunConfig(lun, backstore, true);
    }

    /** A "127.0.0.1:PORT" portal on a port that was free a moment ago (for tests needing several ports). */
    public static String freePortal() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads the config file and serves it; its {@code "limits"} apply over the default options, as in {@code xtarget serve}. */
    private void startServer() throws IOException {
        startServer(ImageCreation.NEW_ONLY);
    }

    /** As {@code xtarget serve}: backstores new in the file, or named by {@code creation}, may get a new image. */
    private void startServer(ImageCreation creation) throws IOException {
        ConfigStore.Loaded loaded = ConfigStore.read(configFile);
        config = loaded.config();
        ImageCreation c = creation.withNew(loaded.newBackstores());
        if (firstStart != null) {
            c = c.withNew(firstStart.newBackstores());
            firstStart = null;
        }
        server = XtargetServer.start(config, dir, IscsiServer.Options.defaults(), wrap, c);
    }

    /** Closes the server and starts a new one from the same config file. */
    public void restart() throws IOException {
        stop();
        startServer();
    }

    /** As {@link #restart()}, as {@code xtarget serve --create[=NAME,...]} would ({@link ImageCreation#recreating}). */
    public void restart(ImageCreation creation) throws IOException {
        stop();
        startServer(creation);
    }

    /** Stops the server (idempotent); {@link #restart()} brings it back. */
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public XtargetServer server() {
        return server;
    }

    /** The config as loaded (with its persisted designators). */
    public ServerConfig config() {
        return config;
    }

    public Path dir() {
        return dir;
    }

    public Path configFile() {
        return configFile;
    }

    /** Every configured portal string, in the order the fabric binds them, to its bound address. */
    private Map<String, InetSocketAddress> bound() {
        Map<String, InetSocketAddress> out = new LinkedHashMap<>();
        List<InetSocketAddress> addrs = server.boundAddresses();
        int i = 0;
        for (TargetConfig t : config.targets()) {
            for (String p : t.portals()) {
                if (!out.containsKey(p)) {
                    out.put(p, addrs.get(i++));
                }
            }
        }
        return out;
    }

    /** The bound address of {@code target}'s portal number {@code index} (0-based, config order). */
    public InetSocketAddress address(String target, int index) {
        TargetConfig t = config.target(target);
        if (t == null) {
            throw new IllegalArgumentException("no target " + target);
        }
        return bound().get(t.portals().get(index));
    }

    /** The first bound address (the only one when every target uses {@link #EPHEMERAL}). */
    public InetSocketAddress address() {
        return server.boundAddresses().getFirst();
    }

    public String host() {
        return address().getAddress().getHostAddress();
    }

    public int port() {
        return address().getPort();
    }

    /** {@code iscsi://127.0.0.1:PORT/target/lun} through the target's first portal. */
    public String url(String target, int lun) {
        InetSocketAddress a = address(target, 0);
        return "iscsi://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/" + target + "/" + lun;
    }

    public String url(int lun) {
        return url(config.targets().getFirst().name(), lun);
    }

    /** {@code iscsi://127.0.0.1:PORT} (a portal URL, as iscsi-ls takes). */
    public String portalUrl() {
        return "iscsi://" + host() + ":" + port();
    }

    /** The persisted NAA designator (32 hex digits) of a backstore. */
    public String naa(String backstore) {
        return config.backstore(backstore).naa();
    }

    public String serial(String backstore) {
        return config.backstore(backstore).serial();
    }

    @Override
    public void close() {
        stop();
    }
}
