package io.xtarget.initiator;

import java.util.Locale;

/**
 * An iSCSI URL {@code iscsi://host[:port]/target-iqn/lun} (the form libiscsi's tools use), with the
 * IANA port 3260 (RFC 7143 13.1) as default. IPv6 hosts go in brackets: {@code iscsi://[::1]:3261/...}.
 */
public record IscsiUrl(String host, int port, String targetName, int lun) {
    public static final int DEFAULT_PORT = 3260;
    /** SAM-5 flat space addressing reaches 16383; larger LUNs need extended addressing we do not send. */
    public static final int MAX_LUN = 16383;
    /** RFC 7143 6.1: an iSCSI name is at most 223 bytes. */
    public static final int MAX_NAME_LENGTH = 223;

    public IscsiUrl {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("iSCSI URL: empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("iSCSI URL: port " + port + " is outside 1..65535");
        }
        if (targetName == null || targetName.isEmpty()) {
            throw new IllegalArgumentException("iSCSI URL: missing target name");
        }
        if (targetName.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("iSCSI URL: target name longer than 223 bytes");
        }
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException("iSCSI URL: LUN " + lun + " is outside 0.." + MAX_LUN);
        }
    }

    /**
     * Parses {@code iscsi://host[:port]/target/lun}.
     *
     * @throws IllegalArgumentException naming what is wrong with the URL
     */
    public static IscsiUrl parse(String url) {
        if (url == null) {
            throw new IllegalArgumentException("iSCSI URL: null");
        }
        String prefix = "iscsi://";
        if (!url.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IllegalArgumentException("iSCSI URL must start with iscsi:// : " + url);
        }
        String rest = url.substring(prefix.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("iSCSI URL needs /target/lun after the host: " + url);
        }
        HostPort hp = parseAuthority(rest.substring(0, slash), url);
        String path = rest.substring(slash + 1);
        int last = path.lastIndexOf('/');
        if (last < 0) {
            throw new IllegalArgumentException("iSCSI URL needs a LUN after the target name: " + url);
        }
        String target = path.substring(0, last);
        String lunText = path.substring(last + 1);
        if (target.isEmpty()) {
            throw new IllegalArgumentException("iSCSI URL has an empty target name: " + url);
        }
        if (target.indexOf('/') >= 0) {
            throw new IllegalArgumentException("iSCSI URL target name contains '/': " + url);
        }
        return new IscsiUrl(hp.host, hp.port, target.toLowerCase(Locale.ROOT), parseNumber(lunText, "LUN", url));
    }

    private record HostPort(String host, int port) {}

    private static HostPort parseAuthority(String authority, String url) {
        if (authority.isEmpty()) {
            throw new IllegalArgumentException("iSCSI URL has an empty host: " + url);
        }
        String host;
        String portText = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("iSCSI URL has an unclosed '[' in the host: " + url);
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("iSCSI URL has junk after the IPv6 host: " + url);
                }
                portText = after.substring(1);
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0) {
                if (authority.indexOf(':', colon + 1) >= 0) {
                    throw new IllegalArgumentException("iSCSI URL: put an IPv6 host in brackets: " + url);
                }
                host = authority.substring(0, colon);
                portText = authority.substring(colon + 1);
            } else {
                host = authority;
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("iSCSI URL has an empty host: " + url);
        }
        int port = portText == null ? DEFAULT_PORT : parseNumber(portText, "port", url);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("iSCSI URL port " + port + " is outside 1..65535: " + url);
        }
        return new HostPort(host, port);
    }

    private static int parseNumber(String text, String what, String url) {
        if (text.isEmpty() || text.length() > 9) {
            throw new IllegalArgumentException("iSCSI URL has a bad " + what + " '" + text + "': " + url);
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw new IllegalArgumentException("iSCSI URL has a bad " + what + " '" + text + "': " + url);
            }
        }
        return Integer.parseInt(text);
    }

    /** The URL in its canonical form. */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return "iscsi://" + h + ":" + port + "/" + targetName + "/" + lun;
    }
}
