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
    void matchingUsesTheDesignatorsOwnLengthAndRejectsGarbageAfterIt() {
        Designator naa = lu().designators().get(0);
        Designator eui = lu().designators().get(2);
        byte[] padded = new byte[20];
        System.arraycopy(NAA, 0, padded, 0, 16);
        assertThat(naa.matches(3, NAA)).isTrue();
        assertThat(naa.matches(3, padded)).isTrue();
        assertThat(naa.matches(2, NAA)).isFalse();
        byte[] naa5 = NAA.clone();
        naa5[0] = 0x50; // an NAA 5 field is 8 bytes: not this 16-byte NAA 6 designator
        assertThat(naa.matches(3, naa5)).isFalse();
        byte[] e = eui.value();
        byte[] ePadded = new byte[12];
        System.arraycopy(e, 0, ePadded, 0, 8);
        assertThat(eui.matches(2, e)).isTrue();
        assertThat(eui.matches(2, ePadded)).isTrue();
        ePadded[11] = 1;
        assertThat(eui.matches(2, ePadded)).isFalse();
        assertThat(eui.matches(2, new byte[] {e[0], e[1]})).isFalse();
    }
}
