package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.DefaultConfig;
import io.xtarget.config.ImageCreation;
import io.xtarget.config.ServerConfig;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.server.MetricsEndpoint;
import io.xtarget.server.XtargetServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code xtarget serve}: runs the target until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve iSCSI targets and vhost-user-scsi controllers.",
            "Without --config: target iqn.2026-11.io.xtarget:demo on 127.0.0.1:3260, LUN 0 a 1 GiB RAM disk,",
            "LUN 1 a 1 GiB sparse file disk, open to any initiator (persisted in ./data/xtarget.json)."})
public final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "JSON config to serve")
    Path config;

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "serve every target on this portal instead")
    String listen;

    @Option(names = "--create", arity = "0..1", split = ",", fallbackValue = "*", paramLabel = "NAME[,NAME...]",
            description = {"Create missing images of file and rbd backstores that already have an identity (naa) as new,",
                "empty images (sparse files, thin RBD images): every one, or only the named ones. Without it such a backstore is served",
                "NOT READY (an image is created only for a backstore that is new in the config)."})
    List<String> create;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve plain-text counters over HTTP on this address (off unless given)")
    String metrics;

    @Override
    public Integer call() {
        ServerConfig cfg;
        Path baseDir;
        ImageCreation creation;
        try {
            ConfigStore.Loaded loaded;
            if (config == null) {
                loaded = DefaultConfig.readOrCreate(DefaultConfig.DATA_DIR);
                baseDir = DefaultConfig.DATA_DIR;
            } else {
                loaded = ConfigStore.read(config);
                baseDir = config.toAbsolutePath().getParent();
            }
            cfg = loaded.config();
            creation = ImageCreation.recreating(create).withNew(loaded.newBackstores());
            if (listen != null) {
                cfg = cfg.withListen(listen);
            }
        } catch (ConfigException e) {
            System.err.println("xtarget: bad config: " + e.getMessage());
            return Main.EXIT_ERROR;
        }
        java.net.InetSocketAddress metricsAddress = null;
        if (metrics != null) {
            try {
                metricsAddress = MetricsEndpoint.parseAddress(metrics);
            } catch (IllegalArgumentException e) {
                System.err.println("xtarget: --metrics: " + e.getMessage());
                return Main.EXIT_ERROR;
            }
        }
        XtargetServer server;
        try {
            // the fabric's default options, with what the config's "limits" object sets
            server = XtargetServer.start(cfg, baseDir, IscsiServer.Options.defaults(), (name, store) -> store,
                    creation);
            if (metricsAddress != null) {
                try {
                    server.serveMetrics(metricsAddress);
                } catch (IOException e) {
                    server.close();
                    throw new IOException("--metrics " + metrics + ": " + e.getMessage(), e);
                }
            }
        } catch (ConfigException e) {
            System.err.println("xtarget: bad config: " + e.getMessage());
            return Main.EXIT_ERROR;
        } catch (IOException e) {
            System.err.println("xtarget: " + e.getMessage());
            return Main.EXIT_ERROR;
        }
        Path source = config != null ? config : DefaultConfig.file(DefaultConfig.DATA_DIR);
        reloadOnHangup(server, source);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            server.close();
            stop.countDown();
        }, "shutdown"));
        log.info("xtarget ready on {}{} (pid {}; kill -HUP re-reads {})", server.boundAddresses(),
                server.vhostControllers().isEmpty() ? "" : " and vhost-user " + server.vhostControllers().stream()
                        .map(c -> c.socket().toString()).toList(), ProcessHandle.current().pid(), source);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * SIGHUP re-reads the config file and applies what can change while serving (LUN maps, ACLs,
     * CHAP, copy policy, new backstores); anything else (targets, portals, existing backstores,
     * limits) is refused with one log line and the running configuration stays as it was. A
     * missing image comes back when it exists again; one is created only for a backstore new in
     * the file ({@code --create} applies to the start only).
     */
    private void reloadOnHangup(XtargetServer server, Path source) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                try {
                    ConfigStore.Loaded loaded = ConfigStore.read(source);
                    ServerConfig c = loaded.config();
                    if (listen != null) {
                        c = c.withListen(listen);
                    }
                    server.reload(c, ImageCreation.NEW_ONLY.withNew(loaded.newBackstores()));
                } catch (ConfigException e) {
                    log.error("reload of {} refused: {}", source, e.getMessage());
                } catch (RuntimeException e) {
                    log.error("reload of {} failed", source, e);
                }
            });
        } catch (IllegalArgumentException e) {
            log.warn("SIGHUP is not available here: reload by restarting");
        }
    }
}
