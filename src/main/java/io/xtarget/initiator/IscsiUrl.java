package io.xtarget.initiator;

import java.util.Locale;

/**
 * An iSCSI URL {@code iscsi://[user%secret@]host[:port]/target-iqn/lun[?target_user=U&target_password=S]}
 * (the form libiscsi's tools use), with the IANA port 3260 (RFC 7143 13.1) as default. IPv6 hosts
 * go in brackets: {@code iscsi://[::1]:3261/...}. {@code user%secret} asks for CHAP; the
 * {@code target_user}/{@code target_password} arguments add mutual CHAP, as in libiscsi. Secrets may
 * not contain '/', '@' or '&' (the URL has no escapes), and {@link #toString} leaves them out.
 *
 * @param chap CHAP secrets from the URL, or null
 */
public record IscsiUrl(String host, int port, String targetName, int lun, ChapSecrets chap) {
    public static final int DEFAULT_PORT = 3260;
    /** SAM-5 flat space addressing reaches 16383; larger LUNs need extended addressing we do not send. */
    public static final int MAX_LUN = 16383;
    /** RFC 7143 6.1: an iSCSI name is at most 223 bytes. */
    public static final int MAX_NAME_LENGTH = 223;

    /** A URL without CHAP secrets. */
    public IscsiUrl(String host, int port, String targetName, int lun) {
        this(host, port, targetName, lun, null);
    }

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
     * Parses {@code iscsi://[user%secret@]host[:port]/target/lun[?target_user=U&target_password=S]}.
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
        String authority = rest.substring(0, slash);
        String user = null;
        String secret = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int pct = userInfo.indexOf('%');
            if (pct <= 0 || pct == userInfo.length() - 1) {
                throw new IllegalArgumentException("iSCSI URL credentials must be user%secret: " + redact(url));
            }
            user = userInfo.substring(0, pct);
            secret = userInfo.substring(pct + 1);
        }
        HostPort hp = parseAuthority(authority, url);
        String path = rest.substring(slash + 1);
        String query = null;
        int q = path.indexOf('?');
        if (q >= 0) {
            query = path.substring(q + 1);
            path = path.substring(0, q);
        }
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
        String mutualUser = null;
        String mutualSecret = null;
        if (query != null) {
            for (String arg : query.split("&", -1)) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? "" : arg.substring(eq + 1);
                switch (name) {
                    case "target_user" -> mutualUser = value;
                    case "target_password" -> mutualSecret = value;
                    default -> throw new IllegalArgumentException("iSCSI URL argument '" + name
                            + "' is not supported (only target_user, target_password): " + redact(url));
                }
            }
            if (mutualUser == null || mutualSecret == null || mutualUser.isEmpty() || mutualSecret.isEmpty()) {
                throw new IllegalArgumentException("iSCSI URL needs both target_user and target_password: "
                        + redact(url));
            }
            if (user == null) {
                throw new IllegalArgumentException("iSCSI URL: mutual CHAP (target_user) needs user%secret@ too: "
                        + redact(url));
            }
        }
        ChapSecrets chap;
        try {
            chap = user == null ? null : new ChapSecrets(user, secret, mutualUser, mutualSecret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("iSCSI URL: " + e.getMessage());
        }
        return new IscsiUrl(hp.host, hp.port, target.toLowerCase(Locale.ROOT), parseNumber(lunText, "LUN", url),
                chap);
    }

    /** The URL text for error messages, with secrets replaced. */
    private static String redact(String url) {
        String s = url.replaceAll("(?<=%)[^@/]*@", "***@");
        return s.replaceAll("(target_password=)[^&]*", "$1***");
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

    /** The URL in its canonical form, without secrets (for logs). */
    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        String user = chap == null ? "" : chap.user() + "@";
        return "iscsi://" + user + h + ":" + port + "/" + targetName + "/" + lun;
    }
}
