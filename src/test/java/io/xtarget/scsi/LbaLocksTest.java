package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class LbaLocksTest {

    @Test
    void masksCoverEveryRegionOfTheRange() {
        assertThat(LbaLocks.mask(0, 1)).isEqualTo(1L);
        assertThat(LbaLocks.mask(0, 0)).isEqualTo(1L);
        assertThat(LbaLocks.mask(2047, 2)).isEqualTo(0b11L);
        assertThat(LbaLocks.mask(2048 * 63, 2048 + 1)).isEqualTo(Long.MIN_VALUE | 1L); // wraps to stripe 0
        assertThat(LbaLocks.mask(5, 2048L * 64)).isEqualTo(-1L);
    }

    @Test
    void exclusiveOnOneStripeLeavesTheOthersFree() throws Exception {
        LbaLocks locks = new LbaLocks();
        try (LbaLocks.Held x = locks.exclusive(0, 1)) {
            boolean other = CompletableFuture.supplyAsync(() -> {
                try (LbaLocks.Held h = locks.exclusive(4096, 1)) {
                    return true;
                }
            }).get();
            assertThat(other).isTrue();
        }
        try (LbaLocks.Held a = locks.shared(0, 1); LbaLocks.Held b = locks.shared(0, 1)) {
            assertThat(a).isNotSameAs(b); // shared holders coexist
        }
        try (LbaLocks.Held x = locks.exclusive(0, 1)) {
            assertThat(x).isNotNull(); // everything was released
        }
    }
}
