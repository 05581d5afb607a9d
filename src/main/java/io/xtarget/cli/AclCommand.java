package io.xtarget.cli;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ChapConfig;
import io.xtarget.config.ConfigException;
import io.xtarget.config.IscsiNames;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "acl", mixinStandardHelpOptions = true, description = {
        "Admit initiators to a target (without ACLs it admits any initiator).",
        "Once a target has an ACL, only the listed initiators may log in and see it in discovery."},
        subcommands = {AclCommand.Create.class, AclCommand.Delete.class, AclCommand.ListCmd.class,
                AclCommand.ChapCmd.class, AclCommand.Resets.class})
final class AclCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Admit an initiator. It sees the target's LUNs until LUNs are mapped for it",
            "with 'xtarget lun create IQN BACKSTORE --initiator INITIATOR'.",
            "Example: xtarget acl create iqn.2026-11.io.xtarget:t1 iqn.1994-05.com.example:host1"})
    static final class Create extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN", description = "Target name.")
        String target;

        @Parameters(index = "1", paramLabel = "INITIATOR", description = "Initiator name (iqn./eui./naa.), stored in lower case.")
        String initiator;

        @Override
        Change change(ServerConfig c) {
            TargetConfig t = requireTarget(c, target);
            String n = IscsiNames.normalize(initiator);
            if (t.acls().stream().anyMatch(a -> a.initiator().equals(n))) {
                throw new ConfigException("target \"" + t.name() + "\" already has an ACL for \"" + n + "\"");
            }
            return Change.of(c.withTarget(t.withAcl(new AclConfig(n, null))), "admitted " + n + " to " + t.name()
                    + (t.acls().isEmpty() ? "\nnote: " + t.name() + " now admits only initiators with an ACL" : ""));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Remove an initiator's ACL (with no ACL left, the target admits any initiator).")
    static final class Delete extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "INITIATOR")
        String initiator;

        @Override
        Change change(ServerConfig c) {
            TargetConfig t = requireTarget(c, target);
            AclConfig acl = requireAcl(t, initiator);
            TargetConfig updated = t.withAcls(t.acls().stream().filter(a -> a != acl).toList());
            return Change.of(c.withTarget(updated), "removed ACL " + acl.initiator() + " from " + t.name()
                    + (updated.acls().isEmpty() ? "\nnote: " + t.name() + " has no ACL left and admits any initiator" : ""));
        }
    }

    @Command(name = "chap", mixinStandardHelpOptions = true, description = {
            "Give one initiator its own CHAP secrets (instead of the target's); --clear makes it",
            "use the target's again.",
            "Example: xtarget acl chap iqn.2026-11.io.xtarget:t1 iqn.1994-05.com.example:host1 \\",
            "           --user host1 --secret 0123456789ab --mutual-user t1 --mutual-secret ba9876543210"})
    static final class ChapCmd extends ChapEdit {
        @Mixin
        ChapOptions chap;

        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "INITIATOR")
        String initiator;

        @Override
        ChapSecretOptions chapOptions() {
            return chap;
        }

        @Override
        Change change(ServerConfig c, ChapConfig secrets) {
            TargetConfig t = requireTarget(c, target);
            AclConfig acl = requireAcl(t, initiator);
            return Change.of(c.withTarget(t.withAcl(acl.withChap(secrets))),
                    ChapOptions.report(t.name() + " acl " + acl.initiator(), secrets));
        }
    }

    @Command(name = "resets", mixinStandardHelpOptions = true, description = {
            "Whether one initiator may send LOGICAL UNIT RESET and TARGET WARM/COLD RESET,",
            "which reach every initiator of that LU or target. 'default': a LUN reset only",
            "of a LUN it maps read-write, a target reset only when it maps LUNs and none",
            "of them read-only; 'allow' or 'refuse' override that. A refused reset gets",
            "\"Function authorization failed\" (RFC 7143 11.6.1) and changes nothing.",
            "Example: xtarget acl resets iqn.2026-11.io.xtarget:t1 \\",
            "           iqn.1994-05.com.example:host1 refuse"})
    static final class Resets extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "INITIATOR")
        String initiator;

        @Parameters(index = "2", paramLabel = "allow|refuse|default",
                description = "allow, refuse, or default (the rule above; clears the setting)")
        String grant;

        @Override
        void checkArguments() {
            value();
        }

        @Override
        Change change(ServerConfig c) {
            Boolean value = value();
            TargetConfig t = requireTarget(c, target);
            AclConfig acl = requireAcl(t, initiator);
            return Change.of(c.withTarget(t.withAcl(acl.withResets(value))), t.name() + " acl " + acl.initiator()
                    + ": resets " + (value == null ? "by the default rule" : value ? "allowed" : "refused"));
        }

        /** The grant: true for allow, false for refuse, null for default; anything else is a usage error. */
        private Boolean value() {
            return switch (grant.toLowerCase(java.util.Locale.ROOT)) {
                case "allow" -> Boolean.TRUE;
                case "refuse" -> Boolean.FALSE;
                case "default" -> null;
                default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "expected allow, refuse or default, got '" + grant + "'");
            };
        }
    }

    /** The initiator with what its ACL sets: its own LUNs or not, CHAP (never the secrets), resets. */
    static String describe(AclConfig a) {
        return a.initiator() + (a.luns() == null ? " (the target's LUNs)" : "")
                + (a.chap() == null ? "" : " (chap: " + ChapOptions.describe(a.chap()) + ")")
                + (a.resets() == null ? "" : a.resets() ? " (resets allowed)" : " (resets refused)");
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List a target's ACLs with their LUNs.")
    static final class ListCmd extends ConfigView {
        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Override
        void print(PrintWriter out, ServerConfig c) {
            TargetConfig t = ConfigEdit.requireTarget(c, target);
            if (t.acls().isEmpty()) {
                out.printf("%s has no ACLs: any initiator is admitted%n", t.name());
            }
            for (AclConfig a : t.acls()) {
                out.println(describe(a));
                TargetCommand.printLuns(out, "  ", a.effectiveLuns(t));
            }
        }
    }
}
