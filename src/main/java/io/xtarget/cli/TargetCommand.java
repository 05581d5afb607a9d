package io.xtarget.cli;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigException;
import io.xtarget.config.IscsiNames;
import io.xtarget.config.LunConfig;
import io.xtarget.config.Portals;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.scsi.CopyAccessPolicy;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "target", mixinStandardHelpOptions = true, description = "Create, delete and list iSCSI targets.",
        subcommands = {TargetCommand.Create.class, TargetCommand.Delete.class, TargetCommand.ListCmd.class,
                TargetCommand.ChapCmd.class})
final class TargetCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Add a target. Without ACLs it admits any initiator (demo mode).",
            "Example: xtarget target create iqn.2026-11.io.xtarget:t1 --portal 127.0.0.1:3260"})
    static final class Create extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN", description = "Target name (iqn./eui./naa.), stored in lower case.")
        String name;

        @Option(names = "--portal", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:3260",
                description = "Portal to listen on; repeat for several (default: ${DEFAULT-VALUE}).")
        List<String> portals;

        @Option(names = "--copy-policy", paramLabel = "POLICY", defaultValue = "initiator",
                description = "LUs an EXTENDED COPY received here may reach: initiator (any LU the initiator can access) or port (only this target's LUNs). Default: ${DEFAULT-VALUE}.")
        String copyPolicy;

        @Override
        Change change(ServerConfig c) {
            String n = IscsiNames.normalize(name);
            if (c.target(n) != null) {
                throw new ConfigException("target \"" + n + "\" already exists");
            }
            CopyAccessPolicy policy = switch (copyPolicy.toLowerCase(Locale.ROOT)) {
                case "initiator" -> CopyAccessPolicy.INITIATOR;
                case "port" -> CopyAccessPolicy.PORT;
                default -> throw new ConfigException("--copy-policy", "\"" + copyPolicy + "\" is not \"initiator\" or \"port\"");
            };
            List<String> ps = new ArrayList<>();
            for (String p : portals) {
                ps.add(Portals.normalize(p, "--portal"));
            }
            return Change.of(c.withTarget(new TargetConfig(n, ps, policy, List.of(), List.of())),
                    "created target " + n + " on " + String.join(", ", ps));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove a target with its portals, LUNs and ACLs (backstores stay).")
    static final class Delete extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN")
        String name;

        @Override
        Change change(ServerConfig c) {
            TargetConfig t = requireTarget(c, name);
            return Change.of(c.withTargets(c.targets().stream().filter(x -> x != t).toList()),
                    "deleted target " + t.name());
        }
    }

    @Command(name = "chap", mixinStandardHelpOptions = true, description = {
            "Require CHAP (RFC 7143) from every initiator logging in to a target; an ACL's own",
            "secrets ('xtarget acl chap') take precedence. Discovery has its own ('xtarget discovery-auth').",
            "Example: xtarget target chap iqn.2026-11.io.xtarget:t1 --user alice --secret 0123456789ab"})
    static final class ChapCmd extends ChapEdit {
        @Mixin
        ChapOptions chap;

        @Parameters(index = "0", paramLabel = "IQN")
        String name;

        @Override
        ChapSecretOptions chapOptions() {
            return chap;
        }

        @Override
        Change change(ServerConfig c, ChapConfig secrets) {
            TargetConfig t = requireTarget(c, name);
            return Change.of(c.withTarget(t.withChap(secrets)), ChapOptions.report(t.name(), secrets));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show targets with portals, LUNs and ACLs.")
    static final class ListCmd extends ConfigView {
        @Override
        void print(PrintWriter out, ServerConfig c) {
            if (c.targets().isEmpty()) {
                out.println("no targets");
            }
            for (TargetConfig t : c.targets()) {
                TargetCommand.print(out, t);
            }
        }
    }

    static void print(PrintWriter out, TargetConfig t) {
        out.printf("%s (copy policy %s)%n", t.name(), t.copyPolicy().name().toLowerCase(Locale.ROOT));
        out.printf("  portals: %s%n", t.portals().isEmpty() ? "none" : String.join(", ", t.portals()));
        if (t.chap() != null) {
            out.printf("  chap: %s%n", ChapOptions.describe(t.chap()));
        }
        printLuns(out, "  ", t.luns());
        if (t.acls().isEmpty()) {
            out.println("  acls: none (any initiator gets the LUNs above)");
        }
        for (AclConfig a : t.acls()) {
            out.println("  acl " + AclCommand.describe(a));
            if (a.luns() != null) {
                printLuns(out, "    ", a.luns());
            }
        }
    }

    static void printLuns(PrintWriter out, String indent, List<LunConfig> luns) {
        if (luns.isEmpty()) {
            out.println(indent + "luns: none");
        }
        for (LunConfig l : luns) {
            out.printf("%slun %d -> %s%s%n", indent, l.lun(), l.backstore(), l.readOnly() ? " (read-only)" : "");
        }
    }
}
