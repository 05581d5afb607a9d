package io.xtarget.cli;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ConfigException;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.config.VhostConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lun", mixinStandardHelpOptions = true,
        description = "Map or unmap backstores as LUNs of a target (or of one initiator's ACL), or of a vhost controller.",
        subcommands = {LunCommand.Create.class, LunCommand.Delete.class})
final class LunCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Map a backstore as a LUN.",
            "Without --initiator the LUN goes to the target's LUN list (what initiators without their own",
            "ACL LUN list see). With --initiator it goes to that ACL's own list; an ACL that used the",
            "target's LUNs gets a copy of them first.",
            "A socket path (/...) instead of an IQN names a vhost controller (no --initiator).",
            "Example: xtarget lun create iqn.2026-11.io.xtarget:t1 disk1 --lun 1 --read-only"})
    static final class Create extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN|SOCKET", description = "Target name, or vhost controller socket.")
        String target;

        @Parameters(index = "1", paramLabel = "BACKSTORE", description = "Backstore name.")
        String backstore;

        @Option(names = {"-l", "--lun"}, paramLabel = "N", description = "LUN number 0..16383 (default: the lowest free).")
        Integer lun;

        @Option(names = "--read-only", description = "The host reads but changes nothing other hosts see: writes, reservations, "
                + "MODE SELECT, loading/ejecting and copies onto this LUN fail with DATA PROTECT.")
        boolean readOnly;

        @Option(names = {"-i", "--initiator"}, paramLabel = "INITIATOR", description = "Map in this initiator's ACL.")
        String initiator;

        @Override
        Change change(ServerConfig c) {
            LunList m = LunList.find(c, target, initiator);
            List<LunConfig> luns = new ArrayList<>(m.luns());
            int n = lun != null ? lun : lowestFree(luns);
            if (luns.stream().anyMatch(l -> l.lun() == n)) {
                throw new ConfigException("LUN " + n + " is already mapped in " + m.where());
            }
            luns.add(new LunConfig(n, backstore, readOnly));
            luns.sort((a, b) -> Integer.compare(a.lun(), b.lun()));
            return Change.of(m.with(c, luns),
                    "mapped %s as LUN %d%s in %s".formatted(backstore, n, readOnly ? " (read-only)" : "", m.where()));
        }

        private static int lowestFree(List<LunConfig> luns) {
            int n = 0;
            while (true) {
                int candidate = n;
                if (luns.stream().noneMatch(l -> l.lun() == candidate)) {
                    return n;
                }
                n++;
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Unmap a LUN (the backstore stays).")
    static final class Delete extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN|SOCKET")
        String target;

        @Parameters(index = "1", paramLabel = "LUN")
        int lun;

        @Option(names = {"-i", "--initiator"}, paramLabel = "INITIATOR", description = "Unmap from this initiator's ACL.")
        String initiator;

        @Override
        Change change(ServerConfig c) {
            LunList m = LunList.find(c, target, initiator);
            List<LunConfig> luns = new ArrayList<>(m.luns());
            if (!luns.removeIf(l -> l.lun() == lun)) {
                throw new ConfigException("no LUN " + lun + " in " + m.where());
            }
            return Change.of(m.with(c, luns), "unmapped LUN %d from %s".formatted(lun, m.where()));
        }
    }

    /**
     * The LUN list a lun command edits: the target's, or with {@code --initiator} that ACL's (the
     * target's while the ACL has no list of its own), or a vhost controller's (a socket path).
     */
    private record LunList(TargetConfig target, AclConfig acl, VhostConfig vhost) {
        static LunList find(ServerConfig c, String target, String initiator) {
            if (target.startsWith("/")) {
                if (initiator != null) {
                    throw new ConfigException("--initiator: a vhost controller has no ACLs (its socket's mode is its access)");
                }
                return new LunList(null, null, VhostCommand.requireVhost(c, target));
            }
            TargetConfig t = ConfigEdit.requireTarget(c, target);
            return new LunList(t, initiator == null ? null : ConfigEdit.requireAcl(t, initiator), null);
        }

        List<LunConfig> luns() {
            return vhost != null ? vhost.luns() : acl == null ? target.luns() : acl.effectiveLuns(target);
        }

        /** The config with {@code luns} in place of this list. */
        ServerConfig with(ServerConfig c, List<LunConfig> luns) {
            if (vhost != null) {
                return c.withVhostController(vhost.withLuns(luns));
            }
            return c.withTarget(acl == null ? target.withLuns(luns) : target.withAcl(acl.withLuns(luns)));
        }

        /** "IQN", "IQN acl INITIATOR", or "vhost SOCKET". */
        String where() {
            return vhost != null ? "vhost " + vhost.socket()
                    : acl == null ? target.name() : target.name() + " acl " + acl.initiator();
        }
    }
}
