package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import io.xtarget.config.Portals;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "portal", mixinStandardHelpOptions = true,
        description = "Add or remove a target's portals (HOST:PORT; each is one target port).",
        subcommands = {PortalCommand.Create.class, PortalCommand.Delete.class})
final class PortalCommand extends GroupCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Add a portal to a target.", "Example: xtarget portal create iqn.2026-11.io.xtarget:t1 127.0.0.1:3261"})
    static final class Create extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "HOST:PORT", description = "Port defaults to 3260; IPv6 as [::1]:3260.")
        String portal;

        @Override
        Change change(ServerConfig c) {
            TargetConfig t = requireTarget(c, target);
            String p = Portals.normalize(portal, "HOST:PORT");
            if (t.portals().contains(p)) {
                throw new ConfigException("target \"" + t.name() + "\" already has portal " + p);
            }
            List<String> ps = new ArrayList<>(t.portals());
            ps.add(p);
            return Change.of(c.withTarget(t.withPortals(ps)), "added portal " + p + " to " + t.name());
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Remove a portal from a target.")
    static final class Delete extends ConfigEdit {
        @Parameters(index = "0", paramLabel = "IQN")
        String target;

        @Parameters(index = "1", paramLabel = "HOST:PORT")
        String portal;

        @Override
        Change change(ServerConfig c) {
            TargetConfig t = requireTarget(c, target);
            String p = Portals.normalize(portal, "HOST:PORT");
            if (!t.portals().contains(p)) {
                throw new ConfigException("target \"" + t.name() + "\" has no portal " + p);
            }
            return Change.of(c.withTarget(t.withPortals(t.portals().stream().filter(x -> !x.equals(p)).toList())),
                    "removed portal " + p + " from " + t.name());
        }
    }
}
