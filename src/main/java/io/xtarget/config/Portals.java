package io.xtarget.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Portal addresses "HOST:PORT": an IPv4 address or host name, or an IPv6 address in brackets
 * ("[::1]:3260"). The port defaults to 3260 (RFC 7143 iSCSI well-known port); 0 asks for an
 * ephemeral port (tests). No name resolution happens here.
 */
public final class Portals {
    public static final int DEFAULT_PORT = 3260;
    private static final Pattern PORTAL = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\\d{1,5}))?");

    private Portals() {}

    /** The canonical "host:port" form; throws IllegalArgumentException with a reason. */
    public static String normalize(String portal) {
        Matcher m = PORTAL.matcher(portal.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + portal + "\" is not HOST:PORT");
        }
        int port = m.group(2) == null ? DEFAULT_PORT : Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw new IllegalArgumentException("\"" + portal + "\": port " + port + " is out of range 0..65535");
        }
        return m.group(1).toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    /** Like {@link #normalize(String)} but failing with a ConfigException naming {@code path}. */
    public static String normalize(String portal, String path) {
        try {
            return normalize(portal);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(path, e.getMessage());
        }
    }

    public static String host(String normalized) {
        String h = normalized.substring(0, normalized.lastIndexOf(':'));
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    public static int port(String normalized) {
        return Integer.parseInt(normalized.substring(normalized.lastIndexOf(':') + 1));
    }
}
