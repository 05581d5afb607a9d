package io.xtarget.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChapTest {
    private static final byte[] SIXTEEN = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");

    @Test
    void responseIsMd5OfIdentifierSecretChallenge() throws Exception {
        // Vector computed outside Java: md5(bytes([0x2a]) + b"secretsecret" + bytes(range(16))).
        assertThat(HexFormat.of().formatHex(Chap.response(0x2a, "secretsecret", SIXTEEN)))
                .isEqualTo("54d49338a27b0c1dd5e935c21ab005a3");
        // Identifier 0 and a short challenge: md5(b"\0" + b"abcdefghijkl" + 0xdeadbeef).
        assertThat(HexFormat.of().formatHex(Chap.response(0, "abcdefghijkl", HexFormat.of().parseHex("deadbeef"))))
                .isEqualTo("374bc8555877a739d8438b46fa8e087a");
        // And the RFC 1994 definition spelled out with the JDK digest directly.
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        in.write(255);
        in.writeBytes("0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        in.writeBytes(SIXTEEN);
        assertThat(Chap.response(255, "0123456789abcdef", SIXTEEN))
                .isEqualTo(MessageDigest.getInstance("MD5").digest(in.toByteArray()));
    }

    @Test
    void hexIsLowerCaseWithPrefix() {
        assertThat(Chap.hex(new byte[] {0x00, (byte) 0xAB, 0x7f})).isEqualTo("0x00ab7f");
    }

    @Test
    void decodesHexInEitherCaseAndBase64() {
        assertThat(Chap.decodeBinary("0x000102030405060708090A0B0C0D0E0F")).isEqualTo(SIXTEEN);
        assertThat(Chap.decodeBinary("0X000102030405060708090a0b0c0d0e0f")).isEqualTo(SIXTEEN);
        assertThat(Chap.decodeBinary("0bAAECAwQFBgcICQoLDA0ODw==")).isEqualTo(SIXTEEN);
        assertThat(Chap.decodeBinary("0BAAECAwQFBgcICQoLDA0ODw==")).isEqualTo(SIXTEEN);
        assertThat(Chap.decodeBinary("0x" + "ab".repeat(Chap.MAX_BINARY))).hasSize(Chap.MAX_BINARY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "0x", "0b", "00ab", "ab", "0xabc", "0xzz", "0x0g", "0x٣٣", "0b====",
        "0bAAECAwQFBgcICQoLDA0ODw", "0bAAEC*wQF", "0yabcd", " 0xab", "0xab "})
    void malformedBinaryValuesDecodeToNull(String v) {
        assertThat(Chap.decodeBinary(v)).isNull();
    }

    @Test
    void oversizedBinaryValuesDecodeToNull() {
        assertThat(Chap.decodeBinary("0x" + "ab".repeat(Chap.MAX_BINARY + 1))).isNull();
        assertThat(Chap.decodeBinary("0b" + "AAAA".repeat(400))).isNull(); // 1200 bytes
        assertThat(Chap.decodeBinary(null)).isNull();
    }

    @Test
    void identifiersAreDecimalOrHexUpTo255() {
        assertThat(Chap.decodeIdentifier("0")).isZero();
        assertThat(Chap.decodeIdentifier("255")).isEqualTo(255);
        assertThat(Chap.decodeIdentifier("0xff")).isEqualTo(255);
        assertThat(Chap.decodeIdentifier("007")).isEqualTo(7);
        for (String bad : new String[] {"", "256", "-1", "0x", "0x100", "1a", "99999999", "٣", " 1"}) {
            assertThat(Chap.decodeIdentifier(bad)).as(bad).isEqualTo(-1);
        }
        assertThat(Chap.decodeIdentifier(null)).isEqualTo(-1);
    }

    @Test
    void algorithmListMustOfferMd5() {
        assertThat(Chap.offersMd5("5")).isTrue();
        assertThat(Chap.offersMd5("7,5")).isTrue();
        assertThat(Chap.offersMd5("7")).isFalse();
        assertThat(Chap.offersMd5("55")).isFalse();
        assertThat(Chap.offersMd5("")).isFalse();
        assertThat(Chap.offersMd5(null)).isFalse();
    }

    @Test
    void matchesComparesWholeArrays() {
        assertThat(Chap.matches(SIXTEEN, SIXTEEN.clone())).isTrue();
        assertThat(Chap.matches(SIXTEEN, new byte[16])).isFalse();
        assertThat(Chap.matches(SIXTEEN, new byte[15])).isFalse();
        assertThat(Chap.matches(SIXTEEN, null)).isFalse();
    }
}
