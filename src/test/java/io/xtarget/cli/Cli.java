package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The xtarget command line run in this process, as {@code xtarget ARGS} runs it ({@link
 * Main#commandLine}), with what it printed captured; for tests of the commands.
 */
public final class Cli {
    /** One run: the exit code and everything printed to standard output and standard error. */
    public record Run(int code, String out, String err) {
        /** Asserts the run succeeded (exit code 0) and printed no error; returns it. */
        public Run succeeded() {
            assertThat(err).isEmpty();
            assertThat(code).isZero();
            return this;
        }
    }

    private Cli() {}

    /** Runs {@code xtarget args}. */
    public static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Runs {@code xtarget args --config config}. */
    public static Run run(Path config, String... args) {
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--config";
        all[args.length + 1] = config.toString();
        return run(all);
    }

    /** Runs {@code xtarget command args} (e.g. {@code xcopy}). */
    public static Run command(String command, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = command;
        System.arraycopy(args, 0, all, 1, args.length);
        return run(all);
    }
}
