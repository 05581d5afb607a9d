package io.xtarget.cli;

import io.xtarget.config.ConfigException;
import io.xtarget.config.ConfigStore;
import io.xtarget.config.IscsiNames;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option every config-editing command takes, with load and save. */
public final class ConfigFileOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "xtarget.json",
            description = "Config file (default: ${DEFAULT-VALUE}); created when missing.")
    Path file;

    public Path file() {
        return file;
    }

    /** The current config; an absent file is an empty config. */
    ServerConfig load() {
        return ConfigStore.loadOrEmpty(file);
    }

    /** Validates and writes atomically (fills in missing NAA/serial first). */
    ServerConfig save(ServerConfig config) {
        return ConfigStore.save(file, config);
    }

    /** The named target, or a ConfigException. */
    static TargetConfig target(ServerConfig config, String name) {
        TargetConfig t = config.target(IscsiNames.normalize(name));
        if (t == null) {
            throw new ConfigException("no target named \"" + IscsiNames.normalize(name) + "\"");
        }
        return t;
    }

    /** The config with one target replaced (matched by name). */
    static ServerConfig replace(ServerConfig config, TargetConfig updated) {
        return config.withTargets(config.targets().stream()
                .map(t -> t.name().equals(updated.name()) ? updated : t).toList());
    }
}
