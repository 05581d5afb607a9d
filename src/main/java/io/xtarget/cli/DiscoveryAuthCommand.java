package io.xtarget.cli;

import io.xtarget.config.ChapConfig;
import io.xtarget.config.ServerConfig;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code xtarget discovery-auth set|clear|show}: the config's {@code "discoveryAuth"}, the CHAP
 * secrets every discovery session (SendTargets) must log in with (RFC 7143 12.1). Secrets are
 * never printed.
 */
@Command(name = "discovery-auth", mixinStandardHelpOptions = true,
        description = "Require CHAP of discovery sessions (SendTargets), or not; the config's \"discoveryAuth\".",
        subcommands = {DiscoveryAuthCommand.Set.class, DiscoveryAuthCommand.Clear.class,
                DiscoveryAuthCommand.Show.class})
final class DiscoveryAuthCommand extends GroupCommand {
    static final String APPLY = "(kill -HUP a running server to apply)";

    @Command(name = "set", mixinStandardHelpOptions = true, description = {
            "Require CHAP with these secrets from every discovery session (SendTargets).",
            "An initiator without them is refused (login status 0201) and learns no target name;",
            "logins to targets keep their own secrets ('target chap', 'acl chap').",
            "Example: xtarget discovery-auth set --user disc --secret 0123456789ab"})
    static final class Set extends ChapEdit {
        @Mixin
        ChapSecretOptions chap;

        @Override
        ChapSecretOptions chapOptions() {
            return chap;
        }

        @Override
        Change change(ServerConfig c, ChapConfig secrets) {
            return Change.of(c.withDiscoveryAuth(secrets),
                    "set CHAP for discovery: " + ChapOptions.describe(secrets) + " " + APPLY);
        }
    }

    @Command(name = "clear", mixinStandardHelpOptions = true,
            description = "Remove the discovery secrets: discovery sessions are not authenticated (the default).")
    static final class Clear extends ConfigEdit {
        @Override
        Change change(ServerConfig c) {
            return Change.of(c.withDiscoveryAuth(null), "cleared CHAP for discovery " + APPLY);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Print whether discovery sessions need CHAP, and the user names (never the secrets).")
    static final class Show extends ConfigView {
        @Override
        void print(PrintWriter out, ServerConfig c) {
            ChapConfig chap = c.discoveryAuth();
            out.println(chap == null
                    ? "discovery: no authentication (any initiator may list the targets its ACLs admit)"
                    : "discovery: CHAP required, " + ChapOptions.describe(chap));
        }
    }
}
