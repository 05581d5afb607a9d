package io.xtarget.cli;

import io.xtarget.config.AclConfig;
import io.xtarget.config.ConfigException;
import io.xtarget.config.IscsiNames;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "lun", mixinStandardHelpOptions = true,
        description = "Map or unmap backstores as LUNs of a target (or of one initiator's ACL).",
        subcommands = {LunCommand.Create.class, LunCommand.Delete.class})
final class LunCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Map a backstore as a LUN.",
            "Without --initiator the LUN goes to the target's LUN list (what initiators without their own",
            "ACL LUN list see). With --initiator it goes to that ACL's own list; an ACL that used the",
            "target's LUNs gets a copy of them first.",
            "Example: xtarget lun create iqn.2026-11.io.xtarget:t1 disk1 --lun 1 --read-only"})
    static final class Create implements Callable<Integer> {
        @Mixin
        ConfigFileOption config;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IQN", description = "Target name.")
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
        public Integer call() {
            ServerConfig c = config.load();
            TargetConfig t = ConfigFileOption.target(c, target);
            AclConfig acl = initiator == null ? null : acl(t, initiator);
            List<LunConfig> luns = new ArrayList<>(acl == null ? t.luns() : acl.effectiveLuns(t));
            int n = lun != null ? lun : lowestFree(luns);
            if (luns.stream().anyMatch(l -> l.lun() == n)) {
                throw new ConfigException("LUN " + n + " is already mapped in " + where(t, acl));
            }
            luns.add(new LunConfig(n, backstore, readOnly));
            luns.sort((a, b) -> Integer.compare(a.lun(), b.lun()));
            config.save(ConfigFileOption.replace(c, update(t, acl, luns)));
            spec.commandLine().getOut().printf("mapped %s as LUN %d%s in %s%n", backstore, n, readOnly ? " (read-only)" : "", where(t, acl));
            return 0;
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
    static final class Delete implements Callable<Integer> {
        @Mixin
        ConfigFileOption config;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "LUN")
        int lun;

        @Option(names = {"-i", "--initiator"}, paramLabel = "INITIATOR", description = "Unmap from this initiator's ACL.")
        String initiator;

        @Override
        public Integer call() {
            ServerConfig c = config.load();
            TargetConfig t = ConfigFileOption.target(c, target);
            AclConfig acl = initiator == null ? null : acl(t, initiator);
            List<LunConfig> luns = new ArrayList<>(acl == null ? t.luns() : acl.effectiveLuns(t));
            if (!luns.removeIf(l -> l.lun() == lun)) {
                throw new ConfigException("no LUN " + lun + " in " + where(t, acl));
            }
            config.save(ConfigFileOption.replace(c, update(t, acl, luns)));
            spec.commandLine().getOut().printf("unmapped LUN %d from %s%n", lun, where(t, acl));
            return 0;
        }
    }

    static AclConfig acl(TargetConfig t, String initiator) {
        String n = IscsiNames.normalize(initiator);
        return t.acls().stream().filter(a -> a.initiator().equals(n)).findFirst()
                .orElseThrow(() -> new ConfigException("target \"" + t.name() + "\" has no ACL for \"" + n + "\""));
    }

    static TargetConfig update(TargetConfig t, AclConfig acl, List<LunConfig> luns) {
        if (acl == null) {
            return t.withLuns(luns);
        }
        AclConfig updated = acl.withLuns(luns);
        return t.withAcls(t.acls().stream().map(a -> a == acl ? updated : a).toList());
    }

    static String where(TargetConfig t, AclConfig acl) {
        return acl == null ? t.name() : t.name() + " acl " + acl.initiator();
    }
}
