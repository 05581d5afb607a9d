package io.xtarget.iscsi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key=value text format of Login and Text PDUs (RFC 7143 6.1): UTF-8 pairs, each ended by a
 * NUL. Keys keep their order; a repeated key is a protocol error the caller reports.
 */
public final class TextParameters {
    /** Longest key name RFC 7143 6.1 allows. */
    public static final int MAX_KEY_LENGTH = 63;

    private final Map<String, String> pairs = new LinkedHashMap<>();
    private final List<String> duplicates = new ArrayList<>();
    private boolean malformed;

    /** Parses a complete key=value list; malformed items mark the list as malformed. */
    public static TextParameters parse(ByteBuffer data) {
        TextParameters t = new TextParameters();
        ByteBuffer d = data.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i == bytes.length || bytes[i] == 0) {
                if (i > start) {
                    t.addItem(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return t;
    }

    private void addItem(String item) {
        int eq = item.indexOf('=');
        if (eq <= 0 || eq > MAX_KEY_LENGTH) {
            malformed = true;
            return;
        }
        String key = item.substring(0, eq);
        if (pairs.containsKey(key)) {
            duplicates.add(key);
            return;
        }
        pairs.put(key, item.substring(eq + 1));
    }

    public TextParameters put(String key, String value) {
        pairs.put(key, value);
        return this;
    }

    public String get(String key) {
        return pairs.get(key);
    }

    public boolean contains(String key) {
        return pairs.containsKey(key);
    }

    public Map<String, String> asMap() {
        return pairs;
    }

    public boolean isMalformed() {
        return malformed;
    }

    public List<String> duplicates() {
        return duplicates;
    }

    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    public byte[] encode() {
        StringBuilder sb = new StringBuilder();
        pairs.forEach((k, v) -> sb.append(k).append('=').append(v).append('\0'));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return pairs.toString();
    }
}
