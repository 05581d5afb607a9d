package io.xtarget.cli;

import io.xtarget.config.ChapConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The CHAP options of {@code target chap} and {@code acl chap}: either {@code --clear}, or the
 * secrets of {@link ChapSecretOptions}.
 */
final class ChapOptions extends ChapSecretOptions {
    @Option(names = "--clear", description = "Remove the CHAP secrets (no authentication).")
    boolean clear;

    /** The secrets asked for, or null for --clear; usage errors exit with 2 like other picocli errors. */
    @Override
    ChapConfig toConfig(CommandSpec spec) {
        if (clear) {
            if (any()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--clear takes no other CHAP option");
            }
            return null;
        }
        if (user == null || secret == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --user and --secret (or --clear)");
        }
        return super.toConfig(spec);
    }

    /** One line describing CHAP, without secrets. */
    static String describe(ChapConfig c) {
        if (c == null) {
            return "none";
        }
        return "user " + c.user() + (c.mutualUser() != null ? ", mutual user " + c.mutualUser() : "");
    }

    /** The report of {@code target chap} and {@code acl chap}: what was set for {@code what}, without secrets. */
    static String report(String what, ChapConfig c) {
        return c == null ? "cleared CHAP for " + what : "set CHAP for " + what + ": " + describe(c);
    }
}
