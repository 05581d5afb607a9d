package io.xtarget.iscsi.pdu;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * CHAP as iSCSI uses it (RFC 7143 12.1.3, RFC 1994): the MD5 response and the text encodings of
 * the CHAP_I, CHAP_C and CHAP_R values. Shared by the target (io.xtarget.iscsi) and the initiator,
 * which both may only depend on this package.
 *
 * <p>Every decoder is total: malformed or oversized input gives {@code null} (or -1), never an
 * exception, and nothing is allocated before the length is checked.
 */
public final class Chap {
    /** CHAP_A value of MD5 (RFC 1994 / IANA PPP authentication algorithms); the only one we use. */
    public static final int ALGORITHM_MD5 = 5;
    /** MD5 digest length, the length of every valid CHAP_R. */
    public static final int RESPONSE_LENGTH = 16;
    /** Bound on a decoded binary value (challenge or response) accepted from a peer. */
    public static final int MAX_BINARY = 1024;
    /** Length of the challenges we send: RFC 7143 12.1.3 asks for at least the digest length. */
    public static final int CHALLENGE_LENGTH = 16;

    private Chap() {}

    /** RFC 1994 4.1: MD5 over the identifier octet, the secret, then the challenge. */
    public static byte[] response(int identifier, String secret, byte[] challenge) {
        MessageDigest md5;
        try {
            md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
        md5.update((byte) identifier);
        md5.update(secret.getBytes(StandardCharsets.UTF_8));
        md5.update(challenge);
        return md5.digest();
    }

    /** Compares in time independent of where the arrays differ (a response is a secret-derived value). */
    public static boolean matches(byte[] expected, byte[] received) {
        return received != null && MessageDigest.isEqual(expected, received);
    }

    /** Encodes as a hex-constant (RFC 7143 6.1): "0x" and two lower-case digits per byte. */
    public static String hex(byte[] b) {
        return "0x" + HexFormat.of().formatHex(b);
    }

    /**
     * Decodes a binary value (RFC 7143 6.1): a hex-constant "0x..." / "0X..." with an even,
     * nonzero number of digits, or a base64-constant "0b..." / "0B..." (RFC 4648 with padding).
     *
     * @return the bytes, or null when the value is malformed, empty or longer than {@link #MAX_BINARY}
     */
    public static byte[] decodeBinary(String v) {
        if (v == null || v.length() < 3 || v.charAt(0) != '0') {
            return null;
        }
        char kind = v.charAt(1);
        String body = v.substring(2);
        if (kind == 'x' || kind == 'X') {
            if (body.length() % 2 != 0 || body.length() > 2 * MAX_BINARY) {
                return null;
            }
            for (int i = 0; i < body.length(); i++) {
                if (digit(body.charAt(i), 16) < 0) {
                    return null;
                }
            }
            return HexFormat.of().parseHex(body);
        }
        if (kind == 'b' || kind == 'B') {
            // 4 characters per 3 bytes: bound the text before decoding anything.
            if (body.length() % 4 != 0 || body.length() > (MAX_BINARY + 2) / 3 * 4) {
                return null;
            }
            byte[] out;
            try {
                out = Base64.getDecoder().decode(body);
            } catch (IllegalArgumentException e) {
                return null;
            }
            return out.length == 0 || out.length > MAX_BINARY ? null : out;
        }
        return null;
    }

    /**
     * Decodes CHAP_I (RFC 7143 12.1.3): a number 0..255, decimal or hex-constant.
     *
     * @return the identifier, or -1 when malformed or out of range
     */
    public static int decodeIdentifier(String v) {
        if (v == null || v.isEmpty() || v.length() > 6) {
            return -1;
        }
        int radix = 10;
        String digits = v;
        if (v.length() > 2 && v.charAt(0) == '0' && (v.charAt(1) == 'x' || v.charAt(1) == 'X')) {
            radix = 16;
            digits = v.substring(2);
        }
        int n = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = digit(digits.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            n = n * radix + d;
        }
        return n <= 255 ? n : -1;
    }

    /** ASCII digits only: Character.digit would also take other scripts' digits. */
    private static int digit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (radix == 16 && c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** True when a CHAP_A list (comma separated) offers MD5. */
    public static boolean offersMd5(String list) {
        if (list == null || list.length() > 255) {
            return false;
        }
        for (String item : list.split(",", -1)) {
            if (item.equals(Integer.toString(ALGORITHM_MD5))) {
                return true;
            }
        }
        return false;
    }
}
