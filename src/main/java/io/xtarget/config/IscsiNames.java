package io.xtarget.config;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * iSCSI names (RFC 7143 4.2.7.1, RFC 3722 stringprep): compared after mapping to lower case, in
 * one of three formats: iqn.YYYY-MM.reversed.domain[:unique], eui.&lt;16 hex&gt;,
 * naa.&lt;16 or 32 hex&gt;. At most 223 bytes.
 */
public final class IscsiNames {
    private static final String LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
    private static final Pattern IQN = Pattern.compile(
            "iqn\\.\\d{4}-(?:0[1-9]|1[0-2])\\." + LABEL + "(?:\\." + LABEL + ")*(?::[a-z0-9.:-]*)?");
    private static final Pattern EUI = Pattern.compile("eui\\.[0-9a-f]{16}");
    private static final Pattern NAA = Pattern.compile("naa\\.(?:[0-9a-f]{16}|[0-9a-f]{32})");
    public static final int MAX_BYTES = 223;

    private IscsiNames() {}

    /** Lower-cases a name (the only stringprep mapping ASCII names need). */
    public static String normalize(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /** Whether an already normalized name is a valid iqn./eui./naa. name. */
    public static boolean isValid(String name) {
        return name.getBytes(StandardCharsets.UTF_8).length <= MAX_BYTES
                && (IQN.matcher(name).matches() || EUI.matcher(name).matches() || NAA.matcher(name).matches());
    }

    static String problem(String name) {
        return "\"" + name + "\" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)";
    }
}
