package io.xtarget.cli;

import io.xtarget.config.ChapConfig;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The CHAP options of {@code target chap} and {@code acl chap}: either {@code --clear}, or
 * {@code --user} and {@code --secret} with an optional mutual pair. Secret lengths are checked by
 * the config validator when the config is saved, so the CLI and a hand-edited file agree.
 */
final class ChapOptions {
    @Option(names = "--user", paramLabel = "NAME", description = "CHAP name the initiator sends (CHAP_N).")
    String user;

    @Option(names = "--secret", paramLabel = "SECRET",
            description = "Secret the initiator proves it knows: 12 to 16 characters.")
    String secret;

    @Option(names = "--mutual-user", paramLabel = "NAME",
            description = "Name the target answers with when the initiator asks it to authenticate (mutual CHAP).")
    String mutualUser;

    @Option(names = "--mutual-secret", paramLabel = "SECRET",
            description = "The target's secret for mutual CHAP: 12 to 16 characters, different from --secret.")
    String mutualSecret;

    @Option(names = "--clear", description = "Remove the CHAP secrets (no authentication).")
    boolean clear;

    /** The secrets asked for, or null for --clear; usage errors exit with 2 like other picocli errors. */
    ChapConfig toConfig(CommandSpec spec) {
        boolean any = user != null || secret != null || mutualUser != null || mutualSecret != null;
        if (clear) {
            if (any) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--clear takes no other CHAP option");
            }
            return null;
        }
        if (user == null || secret == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --user and --secret (or --clear)");
        }
        if ((mutualUser == null) != (mutualSecret == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --mutual-user and --mutual-secret together");
        }
        return new ChapConfig(user, secret, mutualUser, mutualSecret);
    }

    /** One line describing CHAP, without secrets. */
    static String describe(ChapConfig c) {
        if (c == null) {
            return "none";
        }
        return "user " + c.user() + (c.mutualUser() != null ? ", mutual user " + c.mutualUser() : "");
    }

    static void report(PrintWriter out, String what, ChapConfig c) {
        if (c == null) {
            out.printf("cleared CHAP for %s%n", what);
        } else {
            out.printf("set CHAP for %s: %s%n", what, describe(c));
        }
    }
}
