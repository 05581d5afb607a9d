package io.xtarget.config;

/**
 * A configuration problem, told in one line that names the offending field, e.g.
 * {@code targets[0].luns[1].backstore: no backstore named "x"}. Callers print the message, never
 * a stack trace.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String path, String problem) {
        super(path.isEmpty() ? problem : path + ": " + problem);
    }

    /** The same problem with a prefix such as the file name. */
    public ConfigException prefixed(String prefix) {
        return new ConfigException(prefix + ": " + getMessage());
    }
}
