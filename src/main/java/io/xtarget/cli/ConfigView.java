package io.xtarget.cli;

import io.xtarget.config.ServerConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The skeleton of a command that only shows the config file ({@code list}, {@code show}): load it
 * (a missing file is an empty config and is not created), then print. The read-only side of
 * {@link ConfigEdit}, with its finders for "no such ..." errors.
 */
abstract class ConfigView implements Callable<Integer> {
    @Mixin
    ConfigFileOption config;

    @Spec
    CommandSpec spec;

    /** Prints what this command shows of {@code config}; a missing element throws a ConfigException. */
    abstract void print(PrintWriter out, ServerConfig config);

    @Override
    public final Integer call() {
        print(spec.commandLine().getOut(), config.load());
        return 0;
    }
}
