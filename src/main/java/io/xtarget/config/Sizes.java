package io.xtarget.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts written as plain numbers or with a binary K/M/G/T suffix ("1G" = 2^30 bytes). */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})([KMGT]?)");
    private static final String SUFFIXES = "KMGT";

    private Sizes() {}

    /** Parses "4096", "64K", "1G"...; throws IllegalArgumentException with a one-line reason. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (bytes, or a number with K, M, G or T)");
        }
        int shift = m.group(2).isEmpty() ? 0 : 10 * (SUFFIXES.indexOf(m.group(2)) + 1);
        try {
            long n = Long.parseLong(m.group(1));
            if (shift > 0 && n > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + text + "\" is too large");
        }
    }

    /** The largest suffix that divides the size exactly: 2^30 → "1G", 3072 → "3K", 1000 → "1000". */
    public static String format(long bytes) {
        if (bytes > 0) {
            for (int i = SUFFIXES.length() - 1; i >= 0; i--) {
                int shift = 10 * (i + 1);
                if ((bytes & ((1L << shift) - 1)) == 0) {
                    return (bytes >> shift) + SUFFIXES.substring(i, i + 1);
                }
            }
        }
        return Long.toString(bytes);
    }
}
