package io.xtarget.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Socket paths of vhost-user controllers: absolute, normalized, short enough for sun_path. */
public final class VhostPaths {
    /** sun_path holds 108 bytes with the terminating NUL (unix(7)). */
    public static final int MAX_BYTES = 107;

    private VhostPaths() {}

    /** The normalized absolute path, or a ConfigException naming {@code field}. */
    public static String normalize(String socket, String field) {
        if (socket == null || socket.isEmpty()) {
            throw new ConfigException(field, "missing");
        }
        Path p;
        try {
            p = Path.of(socket);
        } catch (InvalidPathException e) {
            throw new ConfigException(field, "\"" + socket + "\" is not a path");
        }
        if (!p.isAbsolute()) {
            throw new ConfigException(field, "\"" + socket + "\" is not an absolute path");
        }
        String n = p.normalize().toString();
        if (n.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES || p.getFileName() == null) {
            throw new ConfigException(field, "\"" + socket + "\" is not a socket path of 1 to " + MAX_BYTES + " bytes");
        }
        return n;
    }
}
