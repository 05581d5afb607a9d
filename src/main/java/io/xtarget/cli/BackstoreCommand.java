package io.xtarget.cli;

import io.xtarget.backend.FileStore;
import io.xtarget.backend.rbd.RbdImageSpec;
import io.xtarget.backend.rbd.RbdStore;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ConfigException;
import io.xtarget.config.ConfigValidator;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.Sizes;
import io.xtarget.config.TargetConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "backstore", mixinStandardHelpOptions = true,
        description = "Create, delete, list, tune and re-enable backstores (the storage behind LUNs).",
        subcommands = {BackstoreCommand.Create.class, BackstoreCommand.Delete.class, BackstoreCommand.ListCmd.class,
            BackstoreCommand.SetCmd.class, BackstoreCommand.Enable.class})
final class BackstoreCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Add a backstore. A missing NAA designator and serial are generated and saved.",
            "A file backstore's image is created now (sparse) when missing; a block device must exist;",
            "an rbd image is created now (thin) with --size when missing, else it must exist.",
            "Examples:",
            "  xtarget backstore create ram0 --type ram --size 1G",
            "  xtarget backstore create disk1 --type file --path data/disk1.img --size 10G --block-size 4096",
            "  xtarget backstore create e512 --type ram --size 1G --physical-block-size 4096",
            "  xtarget backstore create raw0 --type block --path /dev/loop0",
            "  xtarget backstore create null0 --type null --size 10G",
            "  xtarget backstore create vm1 --type rbd --pool rbd --image vm1 --size 10G --ceph-conf /etc/ceph/ceph.conf"})
    static final class Create extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "NAME", description = "Backstore name (letters, digits, _ . : -).")
        String name;

        @Option(names = {"-t", "--type"}, required = true, paramLabel = "TYPE",
                description = "ram, file, block or null (discards writes, reads zeros); or rbd (a Ceph RBD image).")
        String type;

        @Option(names = {"-s", "--size"}, paramLabel = "SIZE",
                description = "Capacity: bytes or a number with K, M, G, T (ram, null: required; file, rbd: size of a"
                        + " new image; block: not allowed).")
        String size;

        @Option(names = {"-p", "--path"}, paramLabel = "PATH",
                description = "Image file or block device (file, block); relative to the config file's directory.")
        String path;

        @Option(names = "--pool", paramLabel = "POOL", description = "rbd: the RADOS pool of the image.")
        String pool;

        @Option(names = "--image", paramLabel = "IMAGE", description = "rbd: the image name in the pool.")
        String image;

        @Option(names = "--ceph-conf", paramLabel = "FILE",
                description = "rbd: ceph.conf with the monitors and keyring (default: librados' search, /etc/ceph/ceph.conf).")
        String cephConf;

        @Option(names = "--user", paramLabel = "USER", description = "rbd: cephx user without \"client.\" (default: admin).")
        String user;

        @Option(names = {"-b", "--block-size"}, paramLabel = "BYTES", defaultValue = "512",
                description = "Logical block size, 512 or 4096 (default: ${DEFAULT-VALUE}).")
        int blockSize;

        @Option(names = "--physical-block-size", paramLabel = "BYTES",
                description = "Physical block size reported to initiators, the block size times a power of two"
                        + " (e.g. 4096 on 512-byte blocks, \"512e\"; default: the block size).")
        Integer physicalBlockSize;

        @Option(names = "--naa", paramLabel = "HEX", description = "NAA 6 designator, 32 hex digits (default: generated).")
        String naa;

        @Option(names = "--serial", paramLabel = "TEXT", description = "Unit serial number (default: derived from the NAA).")
        String serial;

        @Option(names = "--removable",
                description = "Report a removable medium that START STOP UNIT can eject and load (default: not removable).")
        boolean removable;

        @Option(names = "--soft-threshold", paramLabel = "PERCENT",
                description = "file: raise the thin provisioning soft threshold unit attention when the image's"
                        + " file system is this full (1-99; default: none).")
        Integer softThreshold;

        @Override
        Change change(ServerConfig c) {
            if (c.backstore(name) != null) {
                throw new ConfigException("backstore \"" + name + "\" already exists");
            }
            BackstoreType t = BackstoreType.fromJson(type.toLowerCase(Locale.ROOT));
            if (t == null) {
                throw new ConfigException("--type", "\"" + type + "\" is not one of " + BackstoreType.jsonNames());
            }
            Long bytes = null;
            if (size != null) {
                try {
                    bytes = Sizes.parse(size);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException("--size", e.getMessage());
                }
            }
            List<BackstoreConfig> list = new ArrayList<>(c.backstores());
            list.add(new BackstoreConfig(name, t, path, bytes, blockSize,
                    naa == null ? null : naa.toLowerCase(Locale.ROOT), serial, removable, physicalBlockSize,
                    softThreshold, 0, pool == null && image == null && cephConf == null && user == null ? null
                            : new RbdImageSpec(pool, image, cephConf, user)));
            ServerConfig next = ConfigValidator.validate(c.withBackstores(list));
            provision(next.backstore(name), config.file().toAbsolutePath().getParent());
            return new Change(next, saved -> {
                BackstoreConfig b = saved.backstore(name);
                return "created backstore %s (%s) naa.%s".formatted(b.name(), describe(b), b.naa());
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a backstore that no LUN uses. An image file is left on disk.")
    static final class Delete extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        Change change(ServerConfig c) {
            requireBackstore(c, name);
            List<String> users = new ArrayList<>();
            for (TargetConfig t : c.targets()) {
                usersOf(t.name() + " lun ", t.luns(), users);
                t.acls().forEach(a -> {
                    if (a.luns() != null) {
                        usersOf(t.name() + " acl " + a.initiator() + " lun ", a.luns(), users);
                    }
                });
            }
            c.vhost().forEach(v -> usersOf("vhost " + v.socket() + " lun ", v.luns(), users));
            if (!users.isEmpty()) {
                throw new ConfigException("backstore \"" + name + "\" is in use by " + String.join(", ", users)
                        + "; delete those LUNs first");
            }
            return Change.of(c.withBackstores(c.backstores().stream().filter(b -> !b.name().equals(name)).toList()),
                    "deleted backstore " + name);
        }

        private void usersOf(String prefix, List<LunConfig> luns, List<String> users) {
            luns.stream().filter(l -> l.backstore().equals(name)).forEach(l -> users.add(prefix + l.lun()));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List backstores.")
    static final class ListCmd extends ConfigView {
        @Override
        void print(PrintWriter out, ServerConfig c) {
            if (c.backstores().isEmpty()) {
                out.println("no backstores");
                return;
            }
            out.printf("%-16s %-5s %6s %5s %-34s %s%n", "NAME", "TYPE", "SIZE", "BLOCK", "NAA", "PATH");
            for (BackstoreConfig b : c.backstores()) {
                out.printf("%-16s %-5s %6s %5d %-34s %s%n", b.name(), b.type().jsonName(),
                        b.size() == null ? "-" : Sizes.format(b.size()), b.blockSize(), b.naa(),
                        b.rbd() != null ? b.rbd() + rbdAccess(b.rbd()) : b.path() == null ? "-" : b.path());
            }
        }
    }

    /** " (ceph.conf, user)" where they are not the defaults, for the list. */
    private static String rbdAccess(RbdImageSpec r) {
        if (r.cephConf() == null && r.user() == null) {
            return "";
        }
        return " (" + (r.cephConf() == null ? "" : r.cephConf()) + (r.cephConf() != null && r.user() != null ? ", " : "")
                + (r.user() == null ? "" : "client." + r.user()) + ")";
    }

    /**
     * Makes the image exist before the backstore is saved with its identity: {@code xtarget serve}
     * never creates a missing image of a backstore that has a persisted NAA (it reports it NOT
     * READY), so a file image is created here, sparse, an RBD image thin (the cluster must be
     * reachable), and a block device must already exist.
     */
    static void provision(BackstoreConfig b, Path baseDir) {
        if (b.type() == BackstoreType.RBD) {
            RbdImageSpec spec = b.rbd().cephConf() == null ? b.rbd()
                    : b.rbd().withCephConf(baseDir.resolve(b.rbd().cephConf()).toString());
            try (RbdStore image = RbdStore.open(spec, b.blockSize(), b.size() == null ? 0 : b.size(), true)) {
                // created or checked; nothing to write
            } catch (IOException e) {
                throw new ConfigException("--image", e.getMessage());
            }
            return;
        }
        if (b.path() == null) {
            return;
        }
        Path p = baseDir.resolve(b.path());
        if (b.type() == BackstoreType.BLOCK && !Files.exists(p)) {
            throw new ConfigException("--path", p + " does not exist");
        }
        if (b.type() == BackstoreType.FILE) {
            try (FileStore image = FileStore.open(p, b.blockSize(), b.size() == null ? 0 : b.size(), true)) {
                // created or checked; nothing to write
            } catch (IOException e) {
                throw new ConfigException("--path", e.getMessage());
            }
        }
    }


    @Command(name = "set", mixinStandardHelpOptions = true, description = {
            "Change a backstore setting a running server applies on reload (SIGHUP).",
            "Example:",
            "  xtarget backstore set disk1 --soft-threshold 90"})
    static final class SetCmd extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--soft-threshold", required = true, paramLabel = "PERCENT|off",
                description = "file: thin provisioning soft threshold, percent of the image's file system in use"
                        + " (1-99), or off.")
        String softThreshold;

        @Override
        Change change(ServerConfig c) {
            BackstoreConfig b = requireBackstore(c, name);
            Integer pct;
            if (softThreshold.equalsIgnoreCase("off")) {
                pct = null;
            } else {
                try {
                    pct = Integer.valueOf(softThreshold);
                } catch (NumberFormatException e) {
                    throw new ConfigException("--soft-threshold", "\"" + softThreshold + "\" is not a percentage or off");
                }
            }
            return Change.of(c.withBackstore(b.withSoftThresholdPercent(pct)), "backstore " + name + ": soft threshold "
                    + (pct == null ? "off" : pct + "%") + " (a running server applies it on SIGHUP)");
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = {
            "Return a backstore that failed (after a failed flush) to service.",
            "Raises the backstore's enableCount in the config; the running server clears the failed",
            "state when it reloads the config (kill -HUP PID). A reload without this leaves it failed.",
            "Check the storage first: data written before the failed flush may be lost."})
    static final class Enable extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        Change change(ServerConfig c) {
            BackstoreConfig b = requireBackstore(c, name);
            return Change.of(c.withBackstore(b.withEnableCount(b.enableCount() + 1)), ("backstore %s: enable requested"
                    + " (enableCount %d); send SIGHUP to the running server (kill -HUP PID) to apply")
                    .formatted(name, b.enableCount() + 1));
        }
    }

    static String describe(BackstoreConfig b) {
        StringBuilder s = new StringBuilder(b.type().jsonName());
        if (b.size() != null) {
            s.append(", ").append(Sizes.format(b.size()));
        }
        s.append(", ").append(b.blockSize()).append("-byte blocks");
        if (b.physicalBlockSize() != null) {
            s.append(" (").append(b.physicalBlockSize()).append("-byte physical)");
        }
        if (b.path() != null) {
            s.append(", ").append(b.path());
        }
        if (b.rbd() != null) {
            s.append(", ").append(b.rbd()).append(rbdAccess(b.rbd()));
        }
        if (b.removable()) {
            s.append(", removable");
        }
        if (b.softThresholdPercent() != null) {
            s.append(", soft threshold ").append(b.softThresholdPercent()).append('%');
        }
        return s.toString();
    }
}
