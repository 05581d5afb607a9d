package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.VhostConfig;
import io.xtarget.config.VhostPaths;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "vhost", mixinStandardHelpOptions = true, description = {
        "Create, delete and list vhost-user-scsi controllers: Unix sockets QEMU guests attach to",
        "(-chardev socket,path=SOCKET -device vhost-user-scsi-pci; guest memory must be shared).",
        "Who may connect is the socket file's owner (the user xtarget runs as), mode and group."},
        subcommands = {VhostCommand.Create.class, VhostCommand.Delete.class, VhostCommand.ListCmd.class})
final class VhostCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Add a controller; the backstores given become LUNs 0, 1, ... ('xtarget lun create SOCKET ...' adds more).",
            "Example: xtarget vhost create /run/xtarget/vm1.sock disk1 --group kvm --mode 0660"})
    static final class Create extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "SOCKET", description = "Absolute path of the socket (at most 107 bytes).")
        String socket;

        @Parameters(index = "1..*", paramLabel = "BACKSTORE", arity = "0..*", description = "Backstores for LUNs 0, 1, ...")
        List<String> backstores = new ArrayList<>();

        @Option(names = "--mode", paramLabel = "MODE", description = "Socket file mode, octal read/write bits (default 0600).")
        String mode;

        @Option(names = "--group", paramLabel = "GROUP", description = "Socket file group (e.g. the group QEMU runs as).")
        String group;

        @Option(names = "--read-only", description = "Map every LUN given here read-only.")
        boolean readOnly;

        @Option(names = "--copy-policy", paramLabel = "POLICY",
                description = "initiator (default) or port: which LUs the guest's EXTENDED COPY may reach.")
        String copyPolicy;

        @Option(names = "--initiator", paramLabel = "IQN",
                description = "Under copy policy initiator, the guest's copies also reach the iSCSI LUs this initiator name is granted (not CHAP-guarded ones).")
        String initiator;

        @Override
        void checkArguments() {
            VhostPaths.normalize(socket, "SOCKET");
        }

        @Override
        Change change(ServerConfig c) {
            String s = VhostPaths.normalize(socket, "SOCKET");
            if (c.vhostController(s) != null) {
                throw new ConfigException("vhost controller " + s + " already exists");
            }
            List<LunConfig> luns = new ArrayList<>();
            for (String b : backstores) {
                requireBackstore(c, b);
                luns.add(new LunConfig(luns.size(), b, readOnly));
            }
            io.xtarget.scsi.CopyAccessPolicy policy = copyPolicy == null ? null
                    : switch (copyPolicy.toLowerCase(java.util.Locale.ROOT)) {
                        case "initiator" -> io.xtarget.scsi.CopyAccessPolicy.INITIATOR;
                        case "port" -> io.xtarget.scsi.CopyAccessPolicy.PORT;
                        default -> throw new ConfigException("--copy-policy",
                                "\"" + copyPolicy + "\" is not \"initiator\" or \"port\"");
                    };
            VhostConfig v = new VhostConfig(s, luns, mode, group, policy,
                    initiator == null ? null : initiator.toLowerCase(java.util.Locale.ROOT));
            return Change.of(c.withVhostController(v), "created vhost controller %s (%d LUN(s), mode %s%s)"
                    .formatted(s, luns.size(), v.effectiveMode(), group == null ? "" : ", group " + group));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a controller (a running server ends its guest's session on reload; backstores stay).")
    static final class Delete extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "SOCKET")
        String socket;

        @Override
        Change change(ServerConfig c) {
            VhostConfig v = requireVhost(c, socket);
            return Change.of(c.withVhost(c.vhost().stream().filter(x -> x != v).toList()),
                    "deleted vhost controller " + v.socket());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {
            "Show vhost controllers: socket, access, copy policy, whether a server listens and a front-end",
            "(QEMU) is connected (from /proc/net/unix, without connecting), and LUNs."})
    static final class ListCmd extends ConfigView {
        @Override
        void print(PrintWriter out, ServerConfig c) {
            if (c.vhost().isEmpty()) {
                out.println("no vhost controllers");
                return;
            }
            String table = UnixSocketTable.read();
            for (VhostConfig v : c.vhost()) {
                out.printf("%s (mode %s%s)%n", v.socket(), v.effectiveMode(), v.group() == null ? "" : ", group " + v.group());
                out.println("  copy policy: " + copyPolicy(v));
                out.println("  front-end: " + frontEnd(table, v.socket()));
                TargetCommand.printLuns(out, "  ", v.luns());
            }
        }
    }

    /** The copy policy in effect and what it reaches. */
    static String copyPolicy(VhostConfig v) {
        if (v.copyPolicy() == io.xtarget.scsi.CopyAccessPolicy.PORT) {
            return "port (the controller's own LUNs)";
        }
        return v.initiator() == null ? "initiator, no initiator name (the controller's own LUNs)"
                : "initiator, as " + v.initiator() + " (also the iSCSI LUs that name is granted)";
    }

    /** Whether a server serves the socket and a front-end is connected, from the socket table. */
    static String frontEnd(String table, String socket) {
        if (table == null) {
            return "unknown (no /proc/net/unix)";
        }
        UnixSocketTable.Bound b = UnixSocketTable.of(table, socket);
        if (!b.listening()) {
            return b.accepted() > 0 ? "connected, no server listening (it is stopping)" : "none (no server listens)";
        }
        return b.accepted() > 0 ? "connected" : "none (served, waiting for QEMU)";
    }

    /** The controller on {@code socket} (normalized first), or a ConfigException. */
    static VhostConfig requireVhost(ServerConfig c, String socket) {
        String s = VhostPaths.normalize(socket, "SOCKET");
        VhostConfig v = c.vhostController(s);
        if (v == null) {
            throw new ConfigException("no vhost controller on " + s);
        }
        return v;
    }
}
