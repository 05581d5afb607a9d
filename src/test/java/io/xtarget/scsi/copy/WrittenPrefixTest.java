package io.xtarget.scsi.copy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WrittenPrefixTest {
    @Test
    void onlyPiecesContiguousFromTheStartCount() {
        WrittenPrefix p = new WrittenPrefix();
        p.add(4096, 4096); // past a gap: not yet
        p.add(12288, 4096);
        assertThat(p.length()).isZero();
        p.add(0, 4096);
        assertThat(p.length()).as("the gap at 0 filled, 8192..12288 still missing").isEqualTo(8192);
        p.add(8192, 4096);
        assertThat(p.length()).isEqualTo(16384);
        p.add(16384, 0);
        assertThat(p.length()).isEqualTo(16384);
    }

    @Test
    void piecesOfAnyOrderAndSizeAddUp() {
        WrittenPrefix p = new WrittenPrefix();
        p.add(100, 50);
        p.add(30, 70);
        p.add(0, 30);
        assertThat(p.length()).isEqualTo(150);
    }
}
