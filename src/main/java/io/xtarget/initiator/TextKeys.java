package io.xtarget.initiator;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key=value text of Login and Text PDUs (RFC 7143 6.1): UTF-8 pairs, each ended by a NUL byte.
 * Keys may repeat (SendTargets answers repeat TargetName/TargetAddress), so decoding keeps a list.
 */
public final class TextKeys {
    /** RFC 7143 6.1: key names are at most 63 bytes. */
    public static final int MAX_KEY_LENGTH = 63;
    /**
     * Values are bounded by the text length; RFC 7143 6.1 lets a single value be up to 8192 bytes
     * (e.g. long CHAP challenges), so we accept that much.
     */
    public static final int MAX_VALUE_LENGTH = 8192;

    public record Pair(String key, String value) {}

    private TextKeys() {}

    /** Encodes pairs in order as {@code key=value\0...}. */
    public static byte[] encode(List<Pair> pairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Pair p : pairs) {
            checkKey(p.key());
            byte[] v = p.value().getBytes(StandardCharsets.UTF_8);
            if (v.length > MAX_VALUE_LENGTH || p.value().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("bad value for key " + p.key());
            }
            out.writeBytes(p.key().getBytes(StandardCharsets.UTF_8));
            out.write('=');
            out.writeBytes(v);
            out.write(0);
        }
        return out.toByteArray();
    }

    public static byte[] encode(Map<String, String> pairs) {
        List<Pair> list = new ArrayList<>();
        pairs.forEach((k, v) -> list.add(new Pair(k, v)));
        return encode(list);
    }

    private static void checkKey(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("bad key length: '" + key + "'");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            // RFC 7143 6.1: key names are letters, digits, '.', '-', '+', '@', '_'.
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
                    || c == '-' || c == '+' || c == '@' || c == '_';
            if (!ok) {
                throw new IllegalArgumentException("bad character in key '" + key + "'");
            }
        }
    }

    /**
     * Decodes text bytes. A missing final NUL is tolerated (some targets omit it on the last
     * pair); empty strings between NULs (padding) are skipped.
     *
     * @throws TextFormatException for a pair without '=', a bad key or an oversized key/value
     */
    public static List<Pair> decode(ByteBuffer text) throws TextFormatException {
        ByteBuffer b = text.duplicate();
        List<Pair> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            int end = start;
            while (end < b.limit() && b.get(end) != 0) {
                end++;
            }
            int len = end - start;
            b.position(Math.min(end + 1, b.limit()));
            if (len == 0) {
                continue;
            }
            byte[] raw = new byte[len];
            b.duplicate().position(start).get(raw);
            String s = new String(raw, StandardCharsets.UTF_8);
            int eq = s.indexOf('=');
            if (eq < 0) {
                throw new TextFormatException("text pair without '=': " + abbreviate(s));
            }
            String key = s.substring(0, eq);
            String value = s.substring(eq + 1);
            try {
                checkKey(key);
            } catch (IllegalArgumentException e) {
                throw new TextFormatException("bad key: " + abbreviate(key));
            }
            if (value.length() > MAX_VALUE_LENGTH) {
                throw new TextFormatException("value of " + key + " exceeds " + MAX_VALUE_LENGTH + " bytes");
            }
            out.add(new Pair(key, value));
        }
        return out;
    }

    public static List<Pair> decode(byte[] text) throws TextFormatException {
        return decode(ByteBuffer.wrap(text));
    }

    /** The pairs as a map; on repeated keys the last value wins. */
    public static Map<String, String> toMap(List<Pair> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (Pair p : pairs) {
            m.put(p.key(), p.value());
        }
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /** Malformed key=value text from the peer. */
    public static final class TextFormatException extends IscsiProtocolException {
        public TextFormatException(String message) {
            super(message);
        }
    }
}
