package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.initiator.TextKeys.TextFormatException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextKeysTest {
    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void encodesNulTerminatedPairsInOrder() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("HeaderDigest", "CRC32C,None");
        m.put("MaxRecvDataSegmentLength", "262144");
        assertThat(TextKeys.encode(m)).isEqualTo(ascii("HeaderDigest=CRC32C,None\0MaxRecvDataSegmentLength=262144\0"));
    }

    @Test
    void decodesRepeatedKeysInOrderAndEmptyValues() throws Exception {
        List<Pair> p = TextKeys.decode(ascii("TargetName=iqn.a\0TargetAddress=1.2.3.4:3260,1\0"
                + "TargetName=iqn.b\0TargetAlias=\0"));
        assertThat(p).containsExactly(new Pair("TargetName", "iqn.a"), new Pair("TargetAddress", "1.2.3.4:3260,1"),
                new Pair("TargetName", "iqn.b"), new Pair("TargetAlias", ""));
        assertThat(TextKeys.toMap(p)).containsEntry("TargetName", "iqn.b");
    }

    @Test
    void valueMayContainEqualsSign() throws Exception {
        assertThat(TextKeys.decode(ascii("X-a=b=c\0"))).containsExactly(new Pair("X-a", "b=c"));
    }

    @Test
    void toleratesMissingFinalNulAndPaddingNuls() throws Exception {
        assertThat(TextKeys.decode(ascii("A=1\0\0\0B=2"))).containsExactly(new Pair("A", "1"), new Pair("B", "2"));
        assertThat(TextKeys.decode(new byte[0])).isEmpty();
    }

    @Test
    void rejectsMalformedText() {
        assertThatThrownBy(() -> TextKeys.decode(ascii("NoEquals\0"))).isInstanceOf(TextFormatException.class);
        assertThatThrownBy(() -> TextKeys.decode(ascii("=v\0"))).isInstanceOf(TextFormatException.class);
        assertThatThrownBy(() -> TextKeys.decode(ascii("Bad Key=v\0"))).isInstanceOf(TextFormatException.class);
        assertThatThrownBy(() -> TextKeys.decode(ascii("K".repeat(64) + "=v\0")))
                .isInstanceOf(TextFormatException.class);
        assertThatThrownBy(() -> TextKeys.decode(ascii("K=" + "v".repeat(8193) + "\0")))
                .isInstanceOf(TextFormatException.class);
    }

    @Test
    void encodeRefusesBadKeysAndValues() {
        assertThatThrownBy(() -> TextKeys.encode(List.of(new Pair("a b", "1"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TextKeys.encode(List.of(new Pair("a", "x\0y"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomBytesNeverThrowUnchecked() {
        Random r = new Random(7);
        for (int i = 0; i < 20000; i++) {
            byte[] b = new byte[r.nextInt(200)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) "AZaz09=\0.-:,"
                        .charAt(r.nextInt(12)); // a biased alphabet hits the parser's branches
                if (r.nextInt(20) == 0) {
                    b[j] = (byte) r.nextInt(256);
                }
            }
            try {
                TextKeys.decode(b);
            } catch (TextFormatException expected) {
                // fine
            }
        }
    }
}
