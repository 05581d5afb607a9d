package io.xtarget.config;

import io.xtarget.backend.BlockStore;
import io.xtarget.backend.FileStore;
import io.xtarget.backend.NullStore;
import io.xtarget.backend.RamStore;
import io.xtarget.backend.Store;
import io.xtarget.scsi.ChapCredentials;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
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
        ServerConfig complete = Designators.fillMissing(ConfigValidator.validate(config)).config();
        Map<String, LogicalUnit> units = new LinkedHashMap<>();
        try {
            for (int i = 0; i < complete.backstores().size(); i++) {
                BackstoreConfig b = complete.backstores().get(i);
                Store store = wrap.apply(b.name(), open(b, baseDir, "backstores[" + i + "]"));
                units.put(b.name(), new LogicalUnit(b.name(), store, Designators.naaBytes(b.naa()), b.serial(), true,
                        b.removable(), b.effectivePhysicalBlockSize()));
            }
            List<Target> targets = targets(complete, units);
            return new ServerModel(new ScsiCore(opcodes, targets), new ArrayList<>(units.values()));
        } catch (RuntimeException e) {
            for (LogicalUnit u : units.values()) {
                try {
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
     * set of targets, and the definition of an existing backstore.
     *
     * @param running the config the server runs now
     * @return the new targets and every unit they may use (old and newly opened)
     */
    public static Reloaded reload(ServerConfig running, ServerConfig config, Map<String, LogicalUnit> open,
            Path baseDir, java.util.function.BiFunction<String, Store, Store> wrap) {
        ServerConfig complete = Designators.fillMissing(ConfigValidator.validate(config)).config();
        List<String> before = running.targets().stream().map(t -> t.name() + " " + t.portals()).toList();
        List<String> after = complete.targets().stream().map(t -> t.name() + " " + t.portals()).toList();
        if (!before.equals(after)) {
            throw new ConfigException("targets", "targets or portals changed; restart the server to apply that");
        }
        Map<String, LogicalUnit> units = new LinkedHashMap<>(open);
        List<LogicalUnit> opened = new ArrayList<>();
        try {
            for (int i = 0; i < complete.backstores().size(); i++) {
                BackstoreConfig b = complete.backstores().get(i);
                BackstoreConfig was = running.backstores().stream().filter(x -> x.name().equals(b.name())).findFirst()
                        .orElse(null);
                if (was != null) {
                    if (!was.equals(b)) {
                        throw new ConfigException("backstores[" + i + "]",
                                "backstore \"" + b.name() + "\" changed; restart the server to apply that");
                    }
                    continue;
                }
                Store store = wrap.apply(b.name(), open(b, baseDir, "backstores[" + i + "]"));
                LogicalUnit lu = new LogicalUnit(b.name(), store, Designators.naaBytes(b.naa()), b.serial(), true,
                        b.removable(), b.effectivePhysicalBlockSize());
                opened.add(lu);
                units.put(b.name(), lu);
            }
            return new Reloaded(complete, targets(complete, units), opened);
        } catch (RuntimeException e) {
            for (LogicalUnit u : opened) {
                try {
                    u.store().close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** The outcome of {@link #reload}: the completed config, its targets, and units it opened. */
    public record Reloaded(ServerConfig config, List<Target> targets, List<LogicalUnit> opened) {}

    static Store open(BackstoreConfig b, Path baseDir, String p) {
        try {
            return switch (b.type()) {
                case RAM -> new RamStore(b.blockSize(), b.size());
                case FILE -> FileStore.open(baseDir.resolve(b.path()), b.blockSize(), b.size() == null ? 0 : b.size());
                case BLOCK -> BlockStore.open(baseDir.resolve(b.path()), b.blockSize());
                case NULL -> new NullStore(b.blockSize(), b.size());
            };
        } catch (IOException e) {
            throw new ConfigException(p, "cannot open " + b.type().jsonName() + " backstore \"" + b.name() + "\": " + e.getMessage());
        }
    }

    static List<Target> targets(ServerConfig config, Map<String, LogicalUnit> units) {
        List<Target> out = new ArrayList<>();
        int relativePortId = 1;
        for (int i = 0; i < config.targets().size(); i++) {
            TargetConfig t = config.targets().get(i);
            int portGroupId = i + 1;
            List<TargetPort> ports = new ArrayList<>();
            for (int j = 0; j < t.portals().size(); j++) {
                if (relativePortId > MAX_RELATIVE_PORT_ID) {
                    throw new ConfigException("targets[" + i + "].portals[" + j + "]", "more than 65535 ports in the server");
                }
                ports.add(new TargetPort(t.name(), j + 1, relativePortId++, portGroupId, t.portals().get(j)));
            }
            LunMap demo = null;
            Map<String, LunMap> acls = new LinkedHashMap<>();
            Map<String, ChapCredentials> initiatorChap = new LinkedHashMap<>();
            if (t.acls().isEmpty()) {
                demo = lunMap(t.luns(), units);
            } else {
                for (AclConfig a : t.acls()) {
                    acls.put(a.initiator(), lunMap(a.effectiveLuns(t), units).withResets(a.resets()));
                    if (a.chap() != null) {
                        initiatorChap.put(a.initiator(), a.chap().toCredentials());
                    }
                }
            }
            out.add(new Target(t.name(), ports, demo, acls, t.copyPolicy(),
                    t.chap() == null ? null : t.chap().toCredentials(), initiatorChap));
        }
        return out;
    }

    private static LunMap lunMap(List<LunConfig> luns, Map<String, LogicalUnit> units) {
        List<LunMapping> m = new ArrayList<>();
        for (LunConfig l : luns) {
            m.add(new LunMapping(l.lun(), units.get(l.backstore()), l.readOnly()));
        }
        return LunMap.of(m);
    }
}
