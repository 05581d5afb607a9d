package io.xtarget.cli;

import io.xtarget.config.AclConfig;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.ConfigException;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.IscsiNames;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The skeleton of every command that edits the config file: check the arguments, load the file (a
 * missing one is an empty config), make one {@link Change} (finding the named element with the
 * finders below, which word every "no such ..." error the same), save it (validated, missing
 * designators filled in, written atomically and durably with mode 0600, as configs may hold CHAP
 * secrets: {@link ConfigStore#save}), then print the change's report. A subcommand keeps only its
 * own options and {@link #change}.
 *
 * <p>Errors are thrown: a {@link ConfigException} (refused change, broken file, failed save) is
 * one line on stderr and exit 1, a usage error exit 2 ({@link Main}). Nothing is saved when
 * {@link #checkArguments} or {@link #change} throws.
 */
abstract class ConfigEdit implements Callable<Integer> {
    @Mixin
    ConfigFileOption config;

    @Spec
    CommandSpec spec;

    /**
     * What an edit does: the new config, and the report to print once it is saved, made from the
     * config as saved (with generated designators). A report of several lines prints line by line.
     */
    record Change(ServerConfig config, Function<ServerConfig, String> report) {
        /** A change whose report does not depend on what was saved. */
        static Change of(ServerConfig config, String report) {
            return new Change(config, saved -> report);
        }
    }

    /** Checks of the arguments alone, before the file is read; none unless overridden. */
    void checkArguments() {
    }

    /** The change this command makes to {@code current}; a refused change throws a ConfigException. */
    abstract Change change(ServerConfig current);

    @Override
    public final Integer call() {
        checkArguments();
        Change change = change(config.load());
        ServerConfig saved = config.save(change.config());
        PrintWriter out = spec.commandLine().getOut();
        change.report().apply(saved).lines().forEach(out::println);
        return 0;
    }

    /** The target named {@code name} (normalized first), or a ConfigException. */
    static TargetConfig requireTarget(ServerConfig config, String name) {
        String n = IscsiNames.normalize(name);
        TargetConfig t = config.target(n);
        if (t == null) {
            throw new ConfigException("no target named \"" + n + "\"");
        }
        return t;
    }

    /** The ACL of {@code initiator} (normalized first) in {@code target}, or a ConfigException. */
    static AclConfig requireAcl(TargetConfig target, String initiator) {
        String n = IscsiNames.normalize(initiator);
        return target.acls().stream().filter(a -> a.initiator().equals(n)).findFirst()
                .orElseThrow(() -> new ConfigException("target \"" + target.name() + "\" has no ACL for \"" + n + "\""));
    }

    /** The backstore named {@code name}, or a ConfigException. */
    static BackstoreConfig requireBackstore(ServerConfig config, String name) {
        BackstoreConfig b = config.backstore(name);
        if (b == null) {
            throw new ConfigException("no backstore named \"" + name + "\"");
        }
        return b;
    }
}
