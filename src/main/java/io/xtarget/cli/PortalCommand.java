package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import io.xtarget.config.Portals;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "portal", mixinStandardHelpOptions = true,
        description = "Add or remove a target's portals (HOST:PORT; each is one target port).",
        subcommands = {PortalCommand.Create.class, PortalCommand.Delete.class})
final class PortalCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Add a portal to a target.", "Example: xtarget portal create iqn.2026-11.io.xtarget:t1 127.0.0.1:3261"})
    static final class Create implements Callable<Integer> {
        @Mixin
        ConfigFileOption config;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "HOST:PORT", description = "Port defaults to 3260; IPv6 as [::1]:3260.")
        String portal;

        @Override
        public Integer call() {
            ServerConfig c = config.load();
            TargetConfig t = ConfigFileOption.target(c, target);
            String p = Portals.normalize(portal, "HOST:PORT");
            if (t.portals().contains(p)) {
                throw new ConfigException("target \"" + t.name() + "\" already has portal " + p);
            }
            List<String> ps = new ArrayList<>(t.portals());
            ps.add(p);
            config.save(ConfigFileOption.replace(c, t.withPortals(ps)));
            spec.commandLine().getOut().printf("added portal %s to %s%n", p, t.name());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a portal from a target.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ConfigFileOption config;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "HOST:PORT")
        String portal;

        @Override
        public Integer call() {
            ServerConfig c = config.load();
            TargetConfig t = ConfigFileOption.target(c, target);
            String p = Portals.normalize(portal, "HOST:PORT");
            if (!t.portals().contains(p)) {
                throw new ConfigException("target \"" + t.name() + "\" has no portal " + p);
            }
            config.save(ConfigFileOption.replace(c, t.withPortals(t.portals().stream().filter(x -> !x.equals(p)).toList())));
            spec.commandLine().getOut().printf("removed portal %s from %s%n", p, t.name());
            return 0;
        }
    }
}
