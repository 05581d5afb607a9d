package io.xtarget.server;

import io.xtarget.backend.Store;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigException;
import io.xtarget.config.ConfigValidator;
import io.xtarget.config.Designators;
import io.xtarget.config.ImageCreation;
import io.xtarget.config.LimitsConfig;
import io.xtarget.config.RuntimeBuilder;
import io.xtarget.scsi.Alua;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicReference;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.ServerModel;
import io.xtarget.config.Sizes;
import io.xtarget.iscsi.ChapCredentials;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.scsi.copy.CopyStats;
import io.xtarget.vhost.VhostController;
import io.xtarget.vhost.VhostFabric;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running xtarget: the runtime model built from a config (stores, LUs, targets), the copy
 * manager, and the fabrics serving them: iSCSI, and vhost-user-scsi for the config's
 * {@code "vhost"} controllers. Closing it stops the fabrics first (running copies are aborted),
 * then running sanitize operations, then closes every store.
 */
public final class XtargetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XtargetServer.class);

    private final ServerModel model;
    private final CopyCommandSet copy;
    private final IscsiServer fabric;
    private final VhostFabric vhost;
    private final Path baseDir;
    private final BiFunction<String, Store, Store> wrap;
    /** The options the config's limits were applied to, and the fabric's options that resulted. */
    private final IscsiServer.Options baseOptions;
    private final IscsiServer.Options options;
    /** Every open LU: the model's, plus backstores a reload added (closed with the server). */
    private final List<LogicalUnit> units;
    /** The config being served, with designators filled in; a reload is compared against it. */
    private ServerConfig running;
    private MetricsEndpoint metrics;
    /** How often a gateway checks who holds its RBD images' exclusive locks. */
    static final Duration GATEWAY_POLL = Duration.ofMillis(250);
    /** Polls the RBD locks of a gateway ({@code "gateway"} in the config), or null. */
    private GatewayLockWatcher gatewayWatcher;
    /** Shares the resets of a gateway's RBD LUs with the other gateways, or null. */
    private GatewayResets gatewayResets;

    private XtargetServer(ServerModel model, CopyCommandSet copy, IscsiServer fabric, VhostFabric vhost,
            ServerConfig running, Path baseDir, BiFunction<String, Store, Store> wrap, IscsiServer.Options baseOptions,
            IscsiServer.Options options) {
        this.model = model;
        this.vhost = vhost;
        this.baseOptions = baseOptions;
        this.options = options;
        this.copy = copy;
        this.fabric = fabric;
        this.running = running;
        this.baseDir = baseDir;
        this.wrap = wrap;
        this.units = new CopyOnWriteArrayList<>(model.units());
    }

    /**
     * Builds and starts a server. The fabric runs with {@code options}, except where the config's
     * {@code "limits"} set a value: those win.
     *
     * @param baseDir where relative backstore paths resolve
     * @param options the fabric's options where the config's limits leave them unset
     */
    public static XtargetServer start(ServerConfig config, Path baseDir, IscsiServer.Options options)
            throws IOException {
        return start(config, baseDir, options, (name, store) -> store);
    }

    /** As {@link #start(ServerConfig, Path, IscsiServer.Options)}, wrapping each store by backstore name. */
    public static XtargetServer start(ServerConfig config, Path baseDir, IscsiServer.Options options,
            BiFunction<String, Store, Store> wrap) throws IOException {
        return start(config, baseDir, options, wrap, ImageCreation.NEW_ONLY);
    }

    /**
     * As {@link #start(ServerConfig, Path, IscsiServer.Options, BiFunction)}; {@code creation} says
     * which missing images may be created (backstores of {@code config} without an NAA are new
     * anyway). A backstore whose image is missing and may not be created is served as a logical
     * unit that answers NOT READY, with one ERROR line naming the path.
     */
    public static XtargetServer start(ServerConfig config, Path baseDir, IscsiServer.Options options,
            BiFunction<String, Store, Store> wrap, ImageCreation creation) throws IOException {
        CopyCommandSet copy = new CopyCommandSet();
        ImageCreation c = creation.withNewOf(config);
        ServerConfig complete = Designators.fillMissing(ConfigValidator.validate(config)).config();
        for (String unknown : c.unknownIn(complete)) {
            log.warn("--create names {}, which is no backstore of the config", unknown);
        }
        ServerModel model = RuntimeBuilder.build(complete, baseDir, StandardCommands.table(copy), wrap, c);
        model.core().onNexusLoss(copy::nexusLost);
        IscsiServer.Options effective = LimitsConfig.options(complete.limits(), options);
        IscsiServer fabric = new IscsiServer(model.core(), effective, RuntimeBuilder.security(complete));
        fabric.discoveryAuth(credentials(complete.discoveryAuth()));
        // vhost controllers take the relative port identifiers after the iSCSI ports
        VhostFabric vhost = new VhostFabric(model.core(), effective.workerThreads(), effective.sessionDataBytes(),
                (complete.gateway() == null ? 1 : complete.gateway().firstRelativePort()) + RuntimeBuilder.portCount(complete));
        // a gateway of an ALUA pair: who holds each RBD image's lock is known before the fabric listens
        AtomicReference<Collection<LogicalUnit>> liveUnits = new AtomicReference<>(model.units());
        GatewayLockWatcher gatewayWatcher = null;
        GatewayResets gatewayResets = null;
        if (complete.gateway() != null) {
            java.util.Set<io.xtarget.scsi.TargetPort> own = new java.util.HashSet<>();
            model.core().targets().forEach(t -> own.addAll(t.ports()));
            model.units().forEach(u -> u.reservations().releaseStale(own::contains));
            Alua alua = new Alua(complete.gateway().peers().stream()
                    .map(peer -> new Alua.PeerGroup(peer.group(), peer.relativePorts())).toList());
            model.core().setAlua(alua);
            gatewayWatcher = new GatewayLockWatcher(alua, liveUnits::get, GATEWAY_POLL);
            gatewayWatcher.pollOnce();
            gatewayResets = new GatewayResets(model.core().taskManager(), liveUnits::get);
            gatewayResets.sync();
            model.core().taskManager().setPeerResets(gatewayResets);
        }
        try {
            fabric.start();
            vhost.apply(vhostSpecs(complete, model.units(), fabric));
        } catch (IOException | RuntimeException e) {
            vhost.close();
            fabric.close();
            copy.close();
            if (gatewayResets != null) {
                gatewayResets.close();
            }
            model.close();
            throw e;
        }
        XtargetServer s = new XtargetServer(model, copy, fabric, vhost, complete, baseDir, wrap, options, effective);
        if (gatewayWatcher != null) {
            liveUnits.set(s.units);
            s.gatewayWatcher = gatewayWatcher.start();
            s.gatewayResets = gatewayResets.start();
        }
        s.logSummary();
        return s;
    }

    /**
     * The vhost controllers of {@code config} over the open units. A guest's copies may reach,
     * besides its controller's LUNs, what the iSCSI targets grant the controller's configured
     * {@code "initiator"} name (policy initiator), but no target that demands CHAP of that name:
     * the guest proved no secret.
     */
    private static List<VhostFabric.Spec> vhostSpecs(ServerConfig config, List<LogicalUnit> units, IscsiServer iscsi) {
        Map<String, LogicalUnit> byName = new LinkedHashMap<>();
        units.forEach(u -> byName.put(u.name(), u));
        return config.vhost().stream().map(v -> new VhostFabric.Spec(Path.of(v.socket()),
                RuntimeBuilder.lunMap(v.luns(), byName), v.permissions(), v.group(), v.copyPolicy(), v.initiator(),
                (nexus, other) -> v.initiator() != null && iscsi.reachableWithoutChap(other.name(), v.initiator())))
                .toList();
    }

    /** A server with the default options, changed only by the config's {@code "limits"} (as {@code xtarget serve}). */
    public static XtargetServer start(ServerConfig config, Path baseDir) throws IOException {
        return start(config, baseDir, IscsiServer.Options.defaults());
    }

    private void logSummary() {
        for (LogicalUnit lu : model.units()) {
            if (lu.missingImage() != null) {
                logMissing("", lu);
                continue;
            }
            log.info("backstore {}: {} {} blocks of {} bytes, naa.{}", lu.name(), lu.store().kind(), lu.blockCount(),
                    lu.blockSize(), lu.naaHex());
        }
        for (Target t : model.core().targets()) {
            log.info("target {}: {} portal(s), {}, copy policy {}", t.name(), t.ports().size(),
                    t.demoLuns() != null ? "open to any initiator (" + t.demoLuns().mappings().size() + " LUNs)"
                            : t.acls().size() + " ACL entries",
                    t.copyPolicy().name().toLowerCase());
        }
        log.info("limits: session buffer {}, server buffer {}, send timeout {} s, NOP-In every {} s (timeout {} s),"
                + " login timeout {} s, {} worker threads, login back-off after failed CHAP {}-{} ms",
                Sizes.format(options.sessionDataBytes()), Sizes.format(options.serverDataBytes()),
                LimitsConfig.effective(options, "sendTimeoutSeconds"), options.nopIntervalSeconds(),
                options.nopTimeoutSeconds(), options.loginTimeoutSeconds(), options.workerThreads(),
                options.loginBackoffMillis(), options.loginBackoffMaxMillis());
        logDiscoveryAuth("");
    }

    private void logDiscoveryAuth(String prefix) {
        ChapConfig d = running.discoveryAuth();
        log.info("{}discovery: {}", prefix, d == null ? "no authentication"
                : "CHAP required (user " + d.user() + (d.mutual() ? ", mutual user " + d.mutualUser() : "") + ")");
    }

    private static ChapCredentials credentials(ChapConfig c) {
        return c == null ? null : c.toCredentials();
    }

    /** The one line that tells the administrator an image is gone and what the initiators see. */
    private static void logMissing(String prefix, LogicalUnit lu) {
        if (lu.store() instanceof io.xtarget.backend.MissingStore m && m.unreachableReason() != null) {
            log.error("{}backstore {}: {} image {} cannot be reached ({}); its LUs answer NOT READY (04h/03h, manual"
                    + " intervention required) until a reload (kill -HUP) reaches it", prefix, lu.name(),
                    lu.store().kind(), lu.missingImage(), m.unreachableReason());
            return;
        }
        log.error("{}backstore {}: {} image {} is missing; its LUs answer NOT READY (04h/03h, manual intervention"
                + " required) and it is not created again: restore it and reload (kill -HUP), or serve --create={}"
                + " for an empty disk under naa.{}", prefix, lu.name(), lu.store().kind(), lu.missingImage(), lu.name(),
                lu.naaHex());
    }

    /** The fabric's options: the base options with the config's limits applied. */
    public IscsiServer.Options options() {
        return options;
    }

    public ScsiCore core() {
        return model.core();
    }

    public List<LogicalUnit> units() {
        return List.copyOf(units);
    }

    /**
     * Applies a changed config while serving: LUN maps, ACLs, CHAP secrets (discovery's too, see
     * {@link IscsiServer#discoveryAuth}), copy policies and new backstores. Sessions move to their
     * new LUN maps (with a REPORTED LUNS DATA HAS CHANGED unit attention) or are closed when their
     * access was removed. Changes to targets, portals,
     * existing backstores or limits are refused with a ConfigException: they need a restart. A
     * backstore dropped from the config stays open until the server stops. A backstore whose image
     * was missing and exists again is reopened and serves again (its initiators get NOT READY TO
     * READY CHANGE); an added backstore whose image is missing is created only when new (no NAA in
     * {@code config}).
     */
    public synchronized void reload(ServerConfig config) {
        reload(config, ImageCreation.NEW_ONLY);
    }

    /** As {@link #reload(ServerConfig)}, with {@code creation} naming further new backstores. */
    public synchronized void reload(ServerConfig config, ImageCreation creation) {
        List<String> changed = LimitsConfig.differences(options,
                LimitsConfig.options(ConfigValidator.validate(config).limits(), baseOptions));
        if (!changed.isEmpty()) {
            throw new ConfigException("limits", "changed (" + String.join(", ", changed)
                    + "); restart the server to apply that");
        }
        Map<String, LogicalUnit> open = new LinkedHashMap<>();
        for (LogicalUnit lu : units) {
            open.put(lu.name(), lu);
        }
        RuntimeBuilder.Reloaded r = RuntimeBuilder.reload(running, config, open, baseDir, wrap, creation);
        units.addAll(r.opened());
        ServerConfig was = running;
        running = r.config();
        r.restored().forEach((lu, store) -> {
            lu.restore(store);
            if (running.gateway() != null) {
                RuntimeBuilder.shareRestoredReservations(lu, store);
            }
            RuntimeBuilder.applyRuntimeSettings(running.backstore(lu.name()), lu);
        });
        fabric.replaceTargets(r.targets(), RuntimeBuilder.security(running));
        revokeTokens(r.restored().keySet());
        try {
            vhost.apply(vhostSpecs(running, units, fabric));
        } catch (IOException e) {
            log.error("reload: vhost: {}", e.getMessage()); // the other controllers are applied
        }
        if (!Objects.equals(was.discoveryAuth(), running.discoveryAuth())) {
            fabric.discoveryAuth(credentials(running.discoveryAuth()));
            logDiscoveryAuth("reload: ");
        }
        for (LogicalUnit lu : r.restored().keySet()) {
            log.info("reload: backstore {}: image {} is back, {} blocks of {} bytes; serving it again", lu.name(),
                    lu.store(), lu.blockCount(), lu.blockSize());
        }
        for (LogicalUnit lu : units) {
            if (lu.missingImage() != null && !r.opened().contains(lu)) {
                log.warn("reload: backstore {}: image {} is still {} (NOT READY)", lu.name(), lu.missingImage(),
                        lu.store() instanceof io.xtarget.backend.MissingStore m && m.unreachableReason() != null
                                ? "unreachable (" + m.unreachableReason() + ")" : "missing");
            }
        }
        for (LogicalUnit lu : r.opened()) {
            if (lu.missingImage() != null) {
                logMissing("reload: ", lu);
                continue;
            }
            log.info("reload: added backstore {}: {} {} blocks of {} bytes, naa.{}", lu.name(), lu.store().kind(),
                    lu.blockCount(), lu.blockSize(), lu.naaHex());
        }
        log.info("reload: configuration applied ({} target(s), {} backstore(s))", r.targets().size(), units.size());
    }

    /**
     * ROD tokens (POPULATE TOKEN) of an LU end when the LU leaves the server (its backstore is no
     * longer in the config) or its data is another store's (a missing image restored): they
     * represent data that is gone.
     */
    private void revokeTokens(java.util.Set<LogicalUnit> restored) {
        List<LogicalUnit> revoked = new java.util.ArrayList<>(restored);
        for (LogicalUnit lu : units) {
            if (running.backstore(lu.name()) == null) {
                revoked.add(lu);
            }
        }
        if (!revoked.isEmpty()) {
            copy.revokeTokens(revoked);
        }
    }

    public List<InetSocketAddress> boundAddresses() {
        return fabric.boundAddresses();
    }

    public CopyStats copyStats() {
        return copy.stats();
    }

    public int sessionCount() {
        return fabric.sessionCount();
    }

    /** The running vhost-user-scsi controllers. */
    public List<VhostController> vhostControllers() {
        return vhost.controllers();
    }

    /** Failed CHAP logins and what the login throttle did about them, since start. */
    public IscsiServer.LoginStats loginStats() {
        return fabric.loginStats();
    }

    /** Serves the counters over HTTP on {@code address} until the server closes (see {@link MetricsEndpoint}). */
    public synchronized MetricsEndpoint serveMetrics(InetSocketAddress address) throws IOException {
        if (metrics != null) {
            throw new IllegalStateException("metrics already served on " + metrics.address());
        }
        metrics = MetricsEndpoint.start(address, this);
        return metrics;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (metrics != null) {
                metrics.close();
            }
            if (gatewayWatcher != null) {
                gatewayWatcher.close();
            }
            if (gatewayResets != null) {
                gatewayResets.close();
            }
        }
        vhost.close();
        fabric.close();
        copy.close();
        for (LogicalUnit lu : units) {
            try {
                lu.sanitize().stop(); // a running sanitize operation ends before its store closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lu.reservations().close();
            try {
                lu.store().close();
            } catch (IOException e) {
                log.warn("closing backstore {}: {}", lu.name(), e.getMessage());
            }
        }
    }
}
