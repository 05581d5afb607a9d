package io.xtarget.server;

import io.xtarget.config.RuntimeBuilder;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.ServerModel;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.scsi.copy.CopyStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running xtarget: the runtime model built from a config (stores, LUs, targets), the copy
 * manager, and the iSCSI fabric serving them. Closing it stops the fabric first (running copies
 * are aborted), then closes every store.
 */
public final class XtargetServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XtargetServer.class);

    private final ServerModel model;
    private final CopyCommandSet copy;
    private final IscsiServer fabric;
    private MetricsEndpoint metrics;

    private XtargetServer(ServerModel model, CopyCommandSet copy, IscsiServer fabric) {
        this.model = model;
        this.copy = copy;
        this.fabric = fabric;
    }

    /**
     * Builds and starts a server.
     *
     * @param baseDir where relative backstore paths resolve
     */
    public static XtargetServer start(ServerConfig config, Path baseDir, IscsiServer.Options options)
            throws IOException {
        return start(config, baseDir, options, (name, store) -> store);
    }

    /** As {@link #start(ServerConfig, Path, IscsiServer.Options)}, wrapping each store by backstore name. */
    public static XtargetServer start(ServerConfig config, Path baseDir, IscsiServer.Options options,
            java.util.function.BiFunction<String, io.xtarget.backend.Store, io.xtarget.backend.Store> wrap)
            throws IOException {
        CopyCommandSet copy = new CopyCommandSet();
        ServerModel model = RuntimeBuilder.build(config, baseDir, StandardCommands.table(copy), wrap);
        model.core().onNexusLoss(copy::nexusLost);
        IscsiServer fabric = new IscsiServer(model.core(), options);
        try {
            fabric.start();
        } catch (IOException | RuntimeException e) {
            copy.close();
            model.close();
            throw e;
        }
        XtargetServer s = new XtargetServer(model, copy, fabric);
        s.logSummary();
        return s;
    }

    public static XtargetServer start(ServerConfig config, Path baseDir) throws IOException {
        return start(config, baseDir, IscsiServer.Options.defaults());
    }

    private void logSummary() {
        for (LogicalUnit lu : model.units()) {
            log.info("backstore {}: {} {} blocks of {} bytes, naa.{}", lu.name(), lu.store().kind(), lu.blockCount(),
                    lu.blockSize(), lu.naaHex());
        }
        for (Target t : model.core().targets()) {
            log.info("target {}: {} portal(s), {}, copy policy {}", t.name(), t.ports().size(),
                    t.demoLuns() != null ? "open to any initiator (" + t.demoLuns().mappings().size() + " LUNs)"
                            : t.acls().size() + " ACL entries",
                    t.copyPolicy().name().toLowerCase());
        }
    }

    public ScsiCore core() {
        return model.core();
    }

    public List<LogicalUnit> units() {
        return model.units();
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
        }
        fabric.close();
        copy.close();
        try {
            model.close();
        } catch (IOException e) {
            log.warn("closing stores: {}", e.getMessage());
        }
    }
}
