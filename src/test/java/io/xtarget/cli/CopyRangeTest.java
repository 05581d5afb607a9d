package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class CopyRangeTest {
    static final CopyManagerLimits ROOMY = new CopyManagerLimits(256, 16384, 1L << 30, "test");

    @Test
    void splitsAt65535SourceBlocks() {
        List<CopyRange.Segment> s = new CopyRange(10, 20, 70000, 512, 512).split(ROOMY);
        assertThat(s).containsExactly(new CopyRange.Segment(65535, 10, 20),
                new CopyRange.Segment(70000 - 65535, 10 + 65535, 20 + 65535));
    }

    @Test
    void segmentsOf512To4096AreWholeDestinationBlocks() {
        List<CopyRange.Segment> s = new CopyRange(0, 0, 70000, 512, 4096).split(ROOMY);
        assertThat(s.get(0)).isEqualTo(new CopyRange.Segment(65528, 0, 0));
        assertThat(s.get(1)).isEqualTo(new CopyRange.Segment(70000 - 65528, 65528, 65528 / 8));
    }

    @Test
    void respectsMaximumSegmentLength() {
        CopyManagerLimits l = new CopyManagerLimits(256, 16384, 1 << 20, "test");
        assertThat(new CopyRange(0, 0, 8192, 512, 512).split(l)).hasSize(4)
                .allSatisfy(seg -> assertThat(seg.blocks()).isEqualTo(2048));
    }

    @Test
    void refusesWhatOneCommandCannotCarry() {
        assertThatThrownBy(() -> new CopyRange(0, 0, 70000, 512, 512).split(CopyManagerLimits.UNKNOWN))
                .hasMessageContaining("needs 2 segments").hasMessageContaining("accepts 1");
        CopyManagerLimits shortList = new CopyManagerLimits(256, 64 + 28, 0, "test");
        assertThatThrownBy(() -> new CopyRange(0, 0, 70000, 512, 512).split(shortList))
                .hasMessageContaining("accepts 1");
        assertThatThrownBy(() -> new CopyRange(0, 0, 3, 512, 4096).split(ROOMY))
                .hasMessageContaining("not a whole number");
        assertThatThrownBy(() -> new CopyRange(0, 0, 8, 4096, 512)
                .split(new CopyManagerLimits(1, 1000, 512, "test"))).hasMessageContaining("smaller than one");
    }

    @Test
    void parsesOperatingParametersAndVpd8f() {
        ByteBuffer op = ByteBuffer.allocate(48);
        op.putShort(10, (short) 12).putInt(12, 4000).putInt(16, 1 << 24);
        assertThat(CopyManagerLimits.fromOperatingParameters(op.array()))
                .isEqualTo(new CopyManagerLimits(12, 4000, 1 << 24, "RECEIVE COPY RESULTS OPERATING PARAMETERS"));
        assertThat(CopyManagerLimits.fromOperatingParameters(new byte[5])).isEqualTo(CopyManagerLimits.UNKNOWN);

        ByteBuffer vpd = ByteBuffer.allocate(4 + 32 + 36);
        vpd.put(1, (byte) 0x8F).putShort(2, (short) 68);
        vpd.putShort(4, (short) 0x0004).putShort(6, (short) 28).putShort(14, (short) 99).putInt(16, 5000);
        vpd.putShort(36, (short) 0x8001).putShort(38, (short) 32).putInt(48, 1 << 20);
        assertThat(CopyManagerLimits.fromThirdPartyCopyVpd(vpd.array()))
                .isEqualTo(new CopyManagerLimits(99, 5000, 1 << 20, "Third-party Copy VPD page"));
        vpd.putShort(6, (short) 200); // runs past the page: ignored, total
        assertThat(CopyManagerLimits.fromThirdPartyCopyVpd(vpd.array())).isNull();
    }
}
