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
import java.util.HashSet;
import java.util.Set;

/**
 * Config files on disk. Loading fills in missing NAA designators and serials and writes the file
 * back (only then), so device identities stay stable across restarts. Saving is atomic and
 * durable: a temp file (mode 0600) in the same directory, fsync, rename over the old file, fsync
 * of the directory, so a crash or power cut leaves the old or the new config, never half of one,
 * and once a save returned the new one stays (the identities initiators saw are not lost).
 */
public final class ConfigStore {
    private ConfigStore() {}

    /** Loads, validates and completes a config file; errors are prefixed with the file name. */
    public static ServerConfig load(Path file) {
        return read(file).config();
    }

    /**
     * A loaded config and the backstores that were new in it: those whose NAA designator this
     * load generated (and wrote back). The server may create a missing image only for those
     * ({@link ImageCreation}).
     */
    public record Loaded(ServerConfig config, Set<String> newBackstores) {
        public Loaded {
            newBackstores = Set.copyOf(newBackstores);
        }
    }

    /** As {@link #load}, also telling which backstores got their designators now. */
    public static Loaded read(Path file) {
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
        Set<String> fresh = new HashSet<>();
        config.backstores().stream().filter(b -> b.naa() == null).forEach(b -> fresh.add(b.name()));
        Designators.Filled filled = Designators.fillMissing(config);
        if (filled.changed()) {
            save(file, filled.config());
        }
        return new Loaded(filled.config(), fresh);
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
            // created rw------- (the JDK's temp-file mode on POSIX): configs may hold CHAP secrets
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
            syncDirectory(dir);
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

    /**
     * Makes a rename in {@code dir} durable: fsync of the directory itself, without which a power
     * cut after the rename may bring back the old directory entry (the old config, or none) even
     * though the new file's data was synced (Linux ext4/xfs: rename(2) is not durable until the
     * directory is fsynced). Opening a directory for reading works on Linux and the BSDs; where
     * the platform refuses to (Windows) Java has no other way, and this does nothing there. On
     * Linux a failure is an error: the save is then not known to be durable.
     */
    static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            if (IS_LINUX) {
                throw e instanceof IOException io ? io : new IOException(e);
            }
            return;
        }
        try (ch) {
            ch.force(true);
        }
    }

    private static final boolean IS_LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
            .startsWith("linux");
}
