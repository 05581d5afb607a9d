package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.testing.HeapStore;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DesignatorTest {
    private static final byte[] NAA = HexFormat.of().parseHex("60a5854dbe6f6e55a3b6e625f353d6f4");

    private static LogicalUnit lu() {
        return new LogicalUnit("lu", new HeapStore(512, 8), NAA, "sn", false);
    }

    @Test
    void aLogicalUnitReportsNaaT10AndEui64DerivedFromItsNaa() {
        List<Designator> d = lu().designators();
        assertThat(d).extracting(Designator::type).containsExactly(3, 1, 2);
        assertThat(d.get(0).value()).isEqualTo(NAA);
        // the NAA's last 8 hex digits first: hosts compare only the first 8 characters after the vendor
        assertThat(new String(d.get(1).value())).isEqualTo("XTARGET f353d6f460a5854dbe6f6e55a3b6e625f353d6f4");
        // company id 0A5854 from the NAA, then the NAA's last five bytes
        assertThat(HexFormat.of().formatHex(d.get(2).value())).isEqualTo("0a585425f353d6f4");
    }

    @Test
    void matchingNeedsCodeSetTypeLengthAndBytesAllEqual() {
        Designator naa = lu().designators().get(0);
        Designator eui = lu().designators().get(2);
        assertThat(naa.matches(1, 3, NAA)).isTrue();
        assertThat(naa.matches(2, 3, NAA)).as("ASCII code set").isFalse();
        assertThat(naa.matches(1, 2, NAA)).as("EUI-64 type").isFalse();
        byte[] padded = new byte[20];
        System.arraycopy(NAA, 0, padded, 0, 16);
        assertThat(naa.matches(1, 3, padded)).as("longer, zero padded").isFalse();
        assertThat(naa.matches(1, 3, java.util.Arrays.copyOf(NAA, 15))).as("shorter").isFalse();
        byte[] other = NAA.clone();
        other[15] ^= 1;
        assertThat(naa.matches(1, 3, other)).as("one bit off").isFalse();
        byte[] e = eui.value();
        assertThat(eui.matches(1, 2, e)).isTrue();
        assertThat(eui.matches(1, 2, java.util.Arrays.copyOf(e, 12))).isFalse();
        assertThat(eui.matches(1, 2, new byte[] {e[0], e[1]})).isFalse();
    }
}
