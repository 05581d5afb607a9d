package io.xtarget.scsi.copy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pace's arithmetic on a clock the test moves. */
class CopyPaceTest {
    static final long MS = 1_000_000L;
    long now = 1_000 * MS;

    CopyPace pace(long budgetMs) {
        return CopyPace.within(Duration.ofMillis(budgetMs), () -> now);
    }

    @Test
    void unlimitedHandsOutWhatIsAskedAndNeverExpires() {
        assertThat(CopyPace.UNLIMITED.claim(1 << 20, 4096, 4)).isEqualTo(1 << 20);
        assertThat(CopyPace.UNLIMITED.claim(7, 4096, 1)).isEqualTo(7);
        assertThat(CopyPace.UNLIMITED.expired()).isFalse();
        assertThat(CopyPace.UNLIMITED.limited()).isFalse();
    }

    @Test
    void firstPiecesAreSmallUntilARateIsMeasured() {
        CopyPace p = pace(2500);
        for (int lane = 0; lane < 4; lane++) {
            assertThat(p.claim(1 << 20, 4096, 4)).isEqualTo(CopyPace.FIRST_PIECE_BYTES);
        }
        assertThat(p.claim(512, 4096, 4)).as("the rest of a run smaller than a piece").isEqualTo(512);
    }

    @Test
    void piecesFollowTheMeasuredRate() {
        CopyPace p = pace(2500);
        long first = p.claim(1 << 20, 4096, 1);
        now += 16 * MS; // 16 KiB in 16 ms: 1024 bytes per ms
        p.finished(first, first);
        // one lane: a round of 200 ms at 1024 bytes/ms
        long second = p.claim(1 << 20, 4096, 1);
        assertThat(second).isEqualTo(204800);
        now += 200 * MS;
        p.finished(second, second);
        // four lanes share the round: 51200 bytes each, aligned down to 4 KiB
        assertThat(p.claim(1 << 20, 4096, 4)).isEqualTo(49152);
        // a fast store: pieces of the size asked for
        CopyPace fast = pace(2500);
        long f = fast.claim(1 << 20, 4096, 4);
        now += MS / 10; // 160 MiB/s: a round of 200 ms is far more than a chunk per lane
        fast.finished(f, f);
        assertThat(fast.claim(1 << 20, 4096, 4)).isEqualTo(1 << 20);
    }

    @Test
    void piecesInFlightTakeTheirShareOfTheTimeLeft() {
        CopyPace p = pace(1000);
        long a = p.claim(1 << 20, 512, 2);
        long b = p.claim(1 << 20, 512, 2);
        now += 100 * MS; // a done: 163.84 bytes per ms
        p.finished(a, a);
        long a2 = p.claim(1 << 20, 512, 2);
        assertThat(a2).as("a round of 200 ms shared by two lanes").isEqualTo(16384);
        now += 100 * MS;
        p.finished(b, b);
        now += 650 * MS; // 150 ms left at 32768 bytes / 850 ms: 5782 bytes, and a2 (16384) still in flight
        assertThat(p.claim(1 << 20, 512, 2)).isZero();
        now += 10 * MS;
        p.finished(a2, a2); // 49152 bytes in 860 ms, 140 ms left: 8001 bytes fit, a round is 5715
        assertThat(p.claim(1 << 20, 512, 2)).isEqualTo(5632);
    }

    @Test
    void noPieceWhenTheBudgetIsSpentOrZero() {
        CopyPace spent = pace(0);
        assertThat(spent.claim(1 << 20, 512, 1)).isZero();
        assertThat(spent.expired()).isTrue();
        CopyPace p = pace(100);
        long first = p.claim(1 << 20, 512, 4);
        now += 90 * MS;
        p.finished(first, first);
        // 16384 bytes in 90 ms, 10 ms left: 1820 bytes fit, three 512-byte blocks
        assertThat(p.claim(1 << 20, 512, 1)).isEqualTo(1536);
        // with those in flight, 284 bytes more fit: not one block
        assertThat(p.claim(1 << 20, 512, 1)).isZero();
        now += 10 * MS;
        assertThat(p.expired()).isTrue();
        assertThat(p.claim(1 << 20, 512, 1)).isZero();
    }

    @Test
    void aFailedPieceMeasuresNothing() {
        CopyPace p = pace(2500);
        long first = p.claim(1 << 20, 4096, 1);
        now += 10 * MS;
        p.finished(first, 0);
        assertThat(p.claim(1 << 20, 4096, 1)).as("still no rate").isEqualTo(CopyPace.FIRST_PIECE_BYTES);
    }
}
