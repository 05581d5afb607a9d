package io.xtarget.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Config files on disk. Loading fills in missing NAA designators and serials and writes the file
 * back (only then), so device identities stay stable across restarts. Saving is atomic: a temp
 * file in the same directory, fsync, rename over the old file, so a crash leaves the old or the
 * new config, never half of one.
 */
public final class ConfigStore {
    private ConfigStore() {}

    /** Loads, validates and completes a config file; errors are prefixed with the file name. */
    public static ServerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        ServerConfig config;
        try {
            config = ConfigParser.parse(text);
        } catch (ConfigException e) {
            throw e.prefixed(file.toString());
        }
        Designators.Filled filled = Designators.fillMissing(config);
        if (filled.changed()) {
            save(file, filled.config());
        }
        return filled.config();
    }

    /** Like {@link #load}, but a missing file is an empty config (the CLI creates it on save). */
    public static ServerConfig loadOrEmpty(Path file) {
        return Files.exists(file) ? load(file) : ServerConfig.EMPTY;
    }

    /** Validates, completes designators, and writes atomically. Returns what was written. */
    public static ServerConfig save(Path file, ServerConfig config) {
        ServerConfig complete = Designators.fillMissing(ConfigValidator.validate(config)).config();
        byte[] bytes = ConfigWriter.toJson(complete).getBytes(StandardCharsets.UTF_8);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                var buf = java.nio.ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            return complete;
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot write: " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
