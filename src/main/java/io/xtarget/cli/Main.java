package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/**
 * The {@code xtarget} command. Subcommands are listed in the annotation below; add a new one by
 * appending its class there.
 *
 * <p>Exit codes: 0 success, 1 configuration or runtime error (one line on stderr, no stack
 * trace), 2 usage error (picocli's message and usage help).
 */
@Command(name = "xtarget",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Userspace SCSI target (iSCSI, vhost-user-scsi) with copy offload (EXTENDED COPY).",
        subcommands = {
            ServeCommand.class,
            BackstoreCommand.class,
            TargetCommand.class,
            PortalCommand.class,
            LunCommand.class,
            AclCommand.class,
            VhostCommand.class,
            DiscoveryAuthCommand.class,
            LimitsCommand.class,
            XcopyCommand.class,
            StatusCommand.class,
            HelpCommand.class,
        })
public final class Main extends GroupCommand {
    public static final int EXIT_ERROR = 1;

    /** A configured command line: errors of subcommands print as one line and exit with 1. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            if (e instanceof ConfigException) {
                err.println("xtarget: " + e.getMessage());
            } else {
                err.println("xtarget: " + e); // unexpected: still one line, with the exception type
            }
            err.flush();
            return EXIT_ERROR;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"xtarget " + (v == null ? "dev" : v)};
        }
    }
}
