package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import io.xtarget.config.LimitsConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.Sizes;
import io.xtarget.iscsi.IscsiServer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "limits", mixinStandardHelpOptions = true,
        description = "Show or change the iSCSI fabric's resource limits (the config's \"limits\" object).",
        subcommands = {LimitsCommand.Show.class, LimitsCommand.Set.class})
final class LimitsCommand extends GroupCommand {
    /** The word that removes a limit from the config, so its default applies again. */
    static final String DEFAULT = "default";

    @Command(name = "show", mixinStandardHelpOptions = true, description = {
            "Print the limits a server started from the config uses, defaults marked.",
            "Values are in the config's units: sizes as \"64M\", timeouts in seconds, login back-off in ms."})
    static final class Show extends ConfigView {
        @Override
        void print(PrintWriter out, ServerConfig c) {
            LimitsConfig l = c.limitsOrNone();
            IscsiServer.Options o = l.applyTo(IscsiServer.Options.defaults());
            for (String f : LimitsConfig.FIELDS) {
                String value = LimitsConfig.effective(o, f);
                String note = "";
                if (l.get(f) == null) {
                    note = f.equals("workerThreads")
                            ? "(default: max(16, 8 x " + Runtime.getRuntime().availableProcessors() + " CPUs))"
                            : "(default)";
                }
                out.println(String.format(Locale.ROOT, "%-21s %-8s %s", f, value, note).stripTrailing());
            }
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = {
            "Set limits in the config file; \"default\" as a value removes that limit (its default applies).",
            "A running server applies new limits only when restarted (a SIGHUP reload refuses them).",
            "Examples:",
            "  xtarget limits set --session-buffer 128M --server-buffer 2G --send-timeout 20",
            "  xtarget limits set --worker-threads default"})
    static final class Set extends ConfigEdit {
        @Option(names = "--session-buffer", paramLabel = "SIZE",
                description = "Most command data one session may hold (Data-Out collected, Data-In queued): bytes or"
                        + " a number with K, M, G, T; at least 33M (default 64M).")
        String sessionBuffer;

        @Option(names = "--server-buffer", paramLabel = "SIZE",
                description = "The same for all sessions together; at least the session buffer (default 1G).")
        String serverBuffer;

        @Option(names = "--send-timeout", paramLabel = "SECONDS",
                description = "Drop a connection whose queued output is not read for this long, 1-3600 (default 30).")
        String sendTimeout;

        @Option(names = "--nop-interval", paramLabel = "SECONDS",
                description = "Ping (NOP-In) an initiator idle this long, 1-3600 (default 30).")
        String nopInterval;

        @Option(names = "--nop-timeout", paramLabel = "SECONDS",
                description = "Drop a connection that leaves a ping unanswered this long, 1-3600 (default 30).")
        String nopTimeout;

        @Option(names = "--login-timeout", paramLabel = "SECONDS",
                description = "Drop a connection that has not completed its login in this time, 1-3600 (default 30).")
        String loginTimeout;

        @Option(names = "--worker-threads", paramLabel = "N",
                description = "Threads running SCSI commands that may block, 1-1024 (default max(16, 8 x CPUs)).")
        String workerThreads;

        @Option(names = "--login-backoff", paramLabel = "MILLIS",
                description = "After a failed CHAP login, delay logins from that initiator name and from that"
                        + " address this long, doubled per further failure; 0-3600000, 0 = off (default 1000).")
        String loginBackoff;

        @Option(names = "--login-backoff-max", paramLabel = "MILLIS",
                description = "The longest such delay, 1-3600000, at least --login-backoff (default 60000).")
        String loginBackoffMax;

        @Override
        void checkArguments() {
            if (sessionBuffer == null && serverBuffer == null && sendTimeout == null && nopInterval == null
                    && nopTimeout == null && loginTimeout == null && workerThreads == null && loginBackoff == null
                    && loginBackoffMax == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "give at least one limit to set");
            }
        }

        @Override
        Change change(ServerConfig c) {
            LimitsConfig was = c.limitsOrNone();
            LimitsConfig now = new LimitsConfig(
                    size(sessionBuffer, "--session-buffer", was.sessionBuffer()),
                    size(serverBuffer, "--server-buffer", was.serverBuffer()),
                    number(sendTimeout, "--send-timeout", was.sendTimeoutSeconds()),
                    number(nopInterval, "--nop-interval", was.nopIntervalSeconds()),
                    number(nopTimeout, "--nop-timeout", was.nopTimeoutSeconds()),
                    number(loginTimeout, "--login-timeout", was.loginTimeoutSeconds()),
                    number(workerThreads, "--worker-threads", was.workerThreads()),
                    number(loginBackoff, "--login-backoff", was.loginBackoffMillis()),
                    number(loginBackoffMax, "--login-backoff-max", was.loginBackoffMaxMillis()));
            return new Change(c.withLimits(now.isEmpty() ? null : now), saved -> "limits of " + config.file() + ": "
                    + describe(saved.limitsOrNone()) + " (a running server applies them when restarted)");
        }

        /** The limits set, as "field value, ...", or "all defaults". */
        private static String describe(LimitsConfig l) {
            List<String> set = new ArrayList<>();
            for (String f : LimitsConfig.FIELDS) {
                Object v = l.get(f);
                if (v != null) {
                    set.add(f + " " + (v instanceof Long bytes ? Sizes.format(bytes) : v));
                }
            }
            return set.isEmpty() ? "all defaults" : String.join(", ", set);
        }

        /** The new value of a size limit: unchanged when not given, null for "default". */
        private static Long size(String text, String option, Long current) {
            if (text == null) {
                return current;
            }
            if (text.equalsIgnoreCase(DEFAULT)) {
                return null;
            }
            try {
                return Sizes.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(option, e.getMessage());
            }
        }

        /** The new value of a count limit: unchanged when not given, null for "default". */
        private static Integer number(String text, String option, Integer current) {
            if (text == null) {
                return current;
            }
            if (text.equalsIgnoreCase(DEFAULT)) {
                return null;
            }
            try {
                return Integer.valueOf(text.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(option, "\"" + text + "\" is not a whole number (or \"default\")");
            }
        }
    }
}
