package io.xtarget.config;

import io.xtarget.backend.BlockStore;
import io.xtarget.backend.FileStore;
import io.xtarget.backend.MissingStore;
import io.xtarget.backend.NullStore;
import io.xtarget.backend.RamStore;
import io.xtarget.backend.Store;
import io.xtarget.backend.StoreUnavailableException;
import io.xtarget.backend.rbd.RbdImageSpec;
import io.xtarget.backend.rbd.RbdStore;
import io.xtarget.iscsi.ChapCredentials;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.iscsi.IscsiTargetSecurity;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link ServerConfig} into a running {@link ServerModel}: opens every store, makes one
 * logical unit per backstore, and builds the targets.
 *
 * <p>Port numbering: relative target port identifiers are unique across the server (SPC-4
 * 7.8.6.5; the xtarget process is one SCSI target device), assigned 1, 2, ... in config order of
 * targets and their portals. Within a target the portal group tags are 1..n in portal order;
 * each target forms one target port group (ALUA), numbered 1, 2, ... in target order.
 */
public final class RuntimeBuilder {
    public static final int MAX_RELATIVE_PORT_ID = 0xFFFF;

    private RuntimeBuilder() {}

    /**
     * @param baseDir where relative backstore paths resolve (the config file's directory)
     */
    public static ServerModel build(ServerConfig config, Path baseDir, OpcodeTable opcodes) {
        return build(config, baseDir, opcodes, (name, store) -> store);
    }

    /**
     * Like {@link #build(ServerConfig, Path, OpcodeTable)}, passing every opened store through
     * {@code wrap} (by backstore name) first, e.g. to inject faults in end-to-end tests.
     */
    public static ServerModel build(ServerConfig config, Path baseDir, OpcodeTable opcodes,
            java.util.function.BiFunction<String, Store, Store> wrap) {
        return build(config, baseDir, opcodes, wrap, ImageCreation.NEW_ONLY);
    }

    /**
     * As {@link #build(ServerConfig, Path, OpcodeTable, java.util.function.BiFunction)}, creating
     * missing images as {@code creation} allows (backstores of {@code config} without an NAA are
     * new as well). A missing image that may not be created gives a unit that is not ready
     * ({@link LogicalUnit#missingImage()}) instead of an error.
     */
    public static ServerModel build(ServerConfig config, Path baseDir, OpcodeTable opcodes,
            java.util.function.BiFunction<String, Store, Store> wrap, ImageCreation creation) {
        ImageCreation c = creation.withNewOf(config);
        ServerConfig complete = Designators.fillMissing(ConfigValidator.validate(config)).config();
        Map<String, LogicalUnit> units = new LinkedHashMap<>();
        try {
            for (int i = 0; i < complete.backstores().size(); i++) {
                BackstoreConfig b = complete.backstores().get(i);
                units.put(b.name(), unit(b, open(b, baseDir, "backstores[" + i + "]", c), wrap,
                        complete.gateway() != null, "backstores[" + i + "]"));
            }
            List<Target> targets = targets(complete, units);
            return new ServerModel(new ScsiCore(opcodes, targets), new ArrayList<>(units.values()));
        } catch (RuntimeException e) {
            for (LogicalUnit u : units.values()) {
                try {
                    u.reservations().close();
                    u.store().close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * A config reload: the targets of {@code config} over the logical units already open
     * ({@code open}, by backstore name), opening only backstores that are new. Refuses (with a
     * ConfigException naming the field) what cannot change while serving: a target's portals, the
     * set of targets, and the definition of an existing backstore (its soft threshold and enable
     * count may change: they are applied to the running LU).
     *
     * @param running the config the server runs now
     * @return the new targets and every unit they may use (old and newly opened)
     */
    public static Reloaded reload(ServerConfig running, ServerConfig config, Map<String, LogicalUnit> open,
            Path baseDir, java.util.function.BiFunction<String, Store, Store> wrap) {
        return reload(running, config, open, baseDir, wrap, ImageCreation.NEW_ONLY);
    }

    /**
     * As {@link #reload(ServerConfig, ServerConfig, Map, Path, java.util.function.BiFunction)}, with
     * {@code creation} deciding which missing images of added backstores may be created. A unit
     * whose image was missing and exists again is reopened (never created): the store is in
     * {@link Reloaded#restored}, for the caller to {@linkplain LogicalUnit#restore attach} once the
     * reload is applied.
     */
    public static Reloaded reload(ServerConfig running, ServerConfig config, Map<String, LogicalUnit> open,
            Path baseDir, java.util.function.BiFunction<String, Store, Store> wrap, ImageCreation creation) {
        ImageCreation c = creation.withNewOf(config);
        ServerConfig complete = Designators.fillMissing(ConfigValidator.validate(config)).config();
        List<String> before = running.targets().stream().map(t -> t.name() + " " + t.portals()).toList();
        List<String> after = complete.targets().stream().map(t -> t.name() + " " + t.portals()).toList();
        if (!before.equals(after)) {
            throw new ConfigException("targets", "targets or portals changed; restart the server to apply that");
        }
        Map<String, LogicalUnit> units = new LinkedHashMap<>(open);
        List<LogicalUnit> opened = new ArrayList<>();
        Map<LogicalUnit, Store> restored = new LinkedHashMap<>();
        try {
            for (int i = 0; i < complete.backstores().size(); i++) {
                BackstoreConfig b = complete.backstores().get(i);
                BackstoreConfig was = running.backstores().stream().filter(x -> x.name().equals(b.name())).findFirst()
                        .orElse(null);
                if (was != null) {
                    if (!was.sameStore(b)) {
                        throw new ConfigException("backstores[" + i + "]",
                                "backstore \"" + b.name() + "\" changed; restart the server to apply that");
                    }
                    LogicalUnit lu = units.get(b.name());
                    if (lu != null && lu.missingImage() != null) {
                        // reopened, never created: a restored image, or still missing
                        Store store = open(b, baseDir, "backstores[" + i + "]", ImageCreation.NEW_ONLY);
                        if (!(store instanceof MissingStore)) {
                            restored.put(lu, wrap.apply(b.name(), store));
                        }
                    }
                    continue;
                }
                LogicalUnit lu = unit(b, open(b, baseDir, "backstores[" + i + "]", c), wrap,
                        running.gateway() != null, "backstores[" + i + "]");
                opened.add(lu);
                units.put(b.name(), lu);
            }
            List<Target> targets = targets(complete, units);
            for (BackstoreConfig b : complete.backstores()) {
                applyRuntimeSettings(b, units.get(b.name())); // nothing can fail any more
            }
            return new Reloaded(complete, targets, opened, restored);
        } catch (RuntimeException e) {
            List<Store> close = new ArrayList<>(restored.values());
            opened.forEach(u -> close.add(u.store()));
            opened.forEach(u -> u.reservations().close());
            for (Store s : close) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * The outcome of {@link #reload}: the completed config, its targets, units it opened, and the
     * stores of units whose missing image is back (not yet attached).
     */
    public record Reloaded(ServerConfig config, List<Target> targets, List<LogicalUnit> opened,
            Map<LogicalUnit, Store> restored) {}

    /**
     * The backstore settings a running LU takes on reload: its soft threshold, and the enable
     * count, which returns a failed LU to service only when it grew (an unrelated reload leaves
     * a failed LU failed).
     */
    public static void applyRuntimeSettings(BackstoreConfig b, LogicalUnit lu) {
        Integer pct = b.softThresholdPercent();
        lu.provisioning().softThresholdPercent(pct == null || !lu.provisioning().thresholdsSupported() ? 0 : pct);
        lu.health().enable(b.enableCount());
    }

    /**
     * A unit over {@code store}; a store for a missing image is not wrapped (it has no I/O to
     * wrap). A gateway's unit on an RBD image keeps its reservations in the cluster
     * ({@link SharedReservations}).
     */
    private static LogicalUnit unit(BackstoreConfig b, Store store,
            java.util.function.BiFunction<String, Store, Store> wrap, boolean gateway, String path) {
        Store s = store instanceof MissingStore ? store : wrap.apply(b.name(), store);
        LogicalUnit lu = new LogicalUnit(b.name(), s, Designators.naaBytes(b.naa()), b.serial(), true, b.removable(),
                b.effectivePhysicalBlockSize());
        if (gateway) {
            try {
                SharedReservations.attach(lu, store, path);
            } catch (RuntimeException e) {
                try {
                    s.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        applyRuntimeSettings(b, lu);
        return lu;
    }

    /**
     * A gateway's LU whose RBD image came back on reload ({@code restored}, unwrapped or not):
     * its reservations move into the cluster from now on; those it held in memory while the
     * image was missing are dropped for the cluster's. A failure is logged and leaves them in memory.
     */
    public static void shareRestoredReservations(LogicalUnit lu, Store restored) {
        try {
            SharedReservations.attach(lu, restored instanceof io.xtarget.backend.ForwardingStore f ? f.inner() : restored,
                    "backstores");
        } catch (ConfigException e) {
            org.slf4j.LoggerFactory.getLogger(RuntimeBuilder.class).error("reload: {}", e.getMessage());
        }
    }

    /**
     * Opens a backstore's store. A file or RBD image that does not exist is created only when
     * {@code creation} allows; a missing image or device of a backstore that is not new gives a
     * {@link MissingStore} (its LU reports NOT READY), of a new one a ConfigException. So does an
     * RBD backstore whose Ceph cluster cannot be reached (a reload tries again).
     */
    static Store open(BackstoreConfig b, Path baseDir, String p, ImageCreation creation) {
        try {
            try {
                return switch (b.type()) {
                    case RAM -> new RamStore(b.blockSize(), b.size());
                    case FILE -> FileStore.open(baseDir.resolve(b.path()), b.blockSize(),
                            b.size() == null ? 0 : b.size(), creation.mayCreate(b.name()));
                    case BLOCK -> BlockStore.open(baseDir.resolve(b.path()), b.blockSize());
                    case NULL -> new NullStore(b.blockSize(), b.size());
                    case RBD -> RbdStore.open(rbdSpec(b, baseDir), b.blockSize(), b.size() == null ? 0 : b.size(),
                            creation.mayCreate(b.name()));
                };
            } catch (NoSuchFileException e) {
                if (creation.isNew(b.name()) || (b.path() == null && b.rbd() == null)) {
                    throw e;
                }
                long size = b.size() == null ? 0 : b.size();
                return b.rbd() != null ? MissingStore.missing(b.rbd().toString(), b.type().jsonName(), b.blockSize(), size)
                        : new MissingStore(baseDir.resolve(b.path()), b.type().jsonName(), b.blockSize(), size);
            } catch (StoreUnavailableException e) {
                // a storage cluster that does not answer: the LU of a known backstore waits NOT READY
                // for a reload; nobody has seen a new one yet, so that is a config error
                if (creation.isNew(b.name()) || b.rbd() == null) {
                    throw e;
                }
                return MissingStore.unreachable(b.rbd().toString(), e.getMessage(), b.type().jsonName(), b.blockSize(),
                        b.size() == null ? 0 : b.size());
            }
        } catch (IOException e) {
            throw new ConfigException(p, "cannot open " + b.type().jsonName() + " backstore \"" + b.name() + "\": " + e.getMessage());
        }
    }

    /** The backstore's RBD image, a relative {@code cephConf} resolved against {@code baseDir}. */
    static RbdImageSpec rbdSpec(BackstoreConfig b, Path baseDir) {
        RbdImageSpec r = b.rbd();
        return r.cephConf() == null ? r : r.withCephConf(baseDir.resolve(r.cephConf()).toString());
    }

    static List<Target> targets(ServerConfig config, Map<String, LogicalUnit> units) {
        List<Target> out = new ArrayList<>();
        GatewayConfig gateway = config.gateway();
        int relativePortId = gateway == null ? 1 : gateway.firstRelativePort();
        for (int i = 0; i < config.targets().size(); i++) {
            TargetConfig t = config.targets().get(i);
            int portGroupId = gateway == null ? i + 1 : gateway.group(); // a gateway: one group for all its ports
            List<TargetPort> ports = new ArrayList<>();
            for (int j = 0; j < t.portals().size(); j++) {
                if (relativePortId > MAX_RELATIVE_PORT_ID) {
                    throw new ConfigException("targets[" + i + "].portals[" + j + "]", "more than 65535 ports in the server");
                }
                ports.add(IscsiPorts.targetPort(t.name(), j + 1, relativePortId++, portGroupId, t.portals().get(j)));
            }
            LunMap demo = null;
            Map<String, LunMap> acls = new LinkedHashMap<>();
            if (t.acls().isEmpty()) {
                demo = lunMap(t.luns(), units);
            } else {
                for (AclConfig a : t.acls()) {
                    acls.put(a.initiator(), lunMap(a.effectiveLuns(t), units).withResets(a.resets()));
                }
            }
            out.add(new Target(t.name(), ports, demo, acls, t.copyPolicy()));
        }
        return out;
    }

    /**
     * The CHAP secrets of every target of a validated config, by target name, for the iSCSI
     * fabric ({@link io.xtarget.iscsi.IscsiServer}): the target's own, overridden per initiator by
     * its ACL entries' ones; a target without secrets gets an entry that demands none.
     */
    public static Map<String, IscsiTargetSecurity> security(ServerConfig config) {
        Map<String, IscsiTargetSecurity> out = new LinkedHashMap<>();
        for (TargetConfig t : config.targets()) {
            Map<String, ChapCredentials> initiatorChap = new LinkedHashMap<>();
            for (AclConfig a : t.acls()) {
                if (a.chap() != null) {
                    initiatorChap.put(a.initiator(), a.chap().toCredentials());
                }
            }
            out.put(t.name(), new IscsiTargetSecurity(t.chap() == null ? null : t.chap().toCredentials(), initiatorChap));
        }
        return out;
    }

    /** The iSCSI target ports of {@code config}: they take relative port identifiers 1..n. */
    public static int portCount(ServerConfig config) {
        return config.targets().stream().mapToInt(t -> t.portals().size()).sum();
    }

    /** A LUN map over open units, by backstore name (used for iSCSI targets and vhost controllers). */
    public static LunMap lunMap(List<LunConfig> luns, Map<String, LogicalUnit> units) {
        List<LunMapping> m = new ArrayList<>();
        for (LunConfig l : luns) {
            m.add(new LunMapping(l.lun(), units.get(l.backstore()), l.readOnly()));
        }
        return LunMap.of(m);
    }
}
