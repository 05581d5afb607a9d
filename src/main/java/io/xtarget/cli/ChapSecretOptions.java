package io.xtarget.cli;

import io.xtarget.config.ChapConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * CHAP secrets on the command line: {@code --user} and {@code --secret} with an optional mutual
 * pair (RFC 7143 12.1.3). Used by {@code discovery-auth set}, and with {@code --clear} added
 * ({@link ChapOptions}) by {@code target chap} and {@code acl chap}. Secret lengths are checked by
 * the config validator when the config is saved, so the CLI and a hand-edited file agree.
 */
class ChapSecretOptions {
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

    /** True when any secret option was given. */
    boolean any() {
        return user != null || secret != null || mutualUser != null || mutualSecret != null;
    }

    /** The secrets given; missing or half pairs are usage errors (exit 2 like other picocli errors). */
    ChapConfig toConfig(CommandSpec spec) {
        if (user == null || secret == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --user and --secret");
        }
        if ((mutualUser == null) != (mutualSecret == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give --mutual-user and --mutual-secret together");
        }
        return new ChapConfig(user, secret, mutualUser, mutualSecret);
    }
}
