package io.xtarget.iscsi;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/** The values a text key admits (RFC 7143 6.1 value formats, bounded by each key's section). */
sealed interface KeyValues {
    /** Longest simple value when the key does not say otherwise (RFC 7143 6.1). */
    int SIMPLE_VALUE = 255;
    /** Longest iSCSI name (RFC 7143 4.2.7.1). */
    int ISCSI_NAME = 223;

    boolean admits(String value);

    /** A numerical-value in [min, max]: a decimal-constant or a hex-constant (RFC 7143 6.1). */
    record Numeric(int min, int max) implements KeyValues {
        @Override
        public boolean admits(String value) {
            return number(value, min, max) != null;
        }
    }

    /** A boolean-value: exactly "Yes" or "No" (RFC 7143 6.1; values are case sensitive). */
    record Bool() implements KeyValues {
        @Override
        public boolean admits(String value) {
            return value.equals("Yes") || value.equals("No");
        }
    }

    /**
     * A list-of-values (RFC 7143 6.1): comma-separated, no empty item. Items the acceptor does not
     * know are not an error, they are skipped when choosing (RFC 7143 6.2.1).
     */
    record ListOf() implements KeyValues {
        @Override
        public boolean admits(String value) {
            if (value.isEmpty() || value.length() > SIMPLE_VALUE) {
                return false;
            }
            for (String item : value.split(",", -1)) {
                if (item.isEmpty()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One literal out of a fixed set (e.g. SessionType, RFC 7143 13.21). */
    record OneOf(Set<String> literals) implements KeyValues {
        @Override
        public boolean admits(String value) {
            return literals.contains(value);
        }
    }

    /** A text value of at most {@code maxBytes} UTF-8 bytes (RFC 7143 6.1). */
    record Text(int maxBytes) implements KeyValues {
        @Override
        public boolean admits(String value) {
            return value.getBytes(StandardCharsets.UTF_8).length <= maxBytes;
        }
    }

    /** Checked by the key's own handler (CHAP values: {@link ChapAuthenticator}). */
    record Any() implements KeyValues {
        @Override
        public boolean admits(String value) {
            return true;
        }
    }

    /**
     * Parses a numerical-value (RFC 7143 6.1): a decimal-constant (the digit 0, or digits not
     * starting with 0) or a hex-constant ("0x"/"0X" and hex digits); null when malformed or
     * outside [min, max].
     */
    static Integer number(String v, int min, int max) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        boolean hex = v.length() > 2 && v.charAt(0) == '0' && (v.charAt(1) == 'x' || v.charAt(1) == 'X');
        if (!hex && v.length() > 1 && v.charAt(0) == '0') {
            return null;
        }
        long n = 0;
        for (int i = hex ? 2 : 0; i < v.length(); i++) {
            int d = asciiDigit(v.charAt(i), hex ? 16 : 10);
            if (d < 0) {
                return null;
            }
            n = n * (hex ? 16 : 10) + d;
            if (n > max) {
                return null;
            }
        }
        return n < min ? null : (int) n;
    }

    /** The value of an ASCII digit in {@code radix} (10 or 16), or -1. */
    private static int asciiDigit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
            return Character.toLowerCase(c) - 'a' + 10;
        }
        return -1;
    }

    /** Decimal digits only (leading zeros allowed), for plain configuration numbers such as ports. */
    static Integer decimal(String v, int min, int max) {
        if (v == null || v.isEmpty() || v.length() > 10) {
            return null;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            n = n * 10 + (c - '0');
        }
        return n < min || n > max ? null : (int) n;
    }
}
