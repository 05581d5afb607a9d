package io.xtarget.cli;

import io.xtarget.config.ConfigStore;
import io.xtarget.config.ServerConfig;
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
}
