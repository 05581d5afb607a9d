package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LoginThrottle} on a clock the test drives (nanoseconds from 0); nothing sleeps. */
class LoginThrottleTest {
    static final long S = 1_000_000_000L;
    static final long FAR = Long.MAX_VALUE / 4;
    static final String NAME = "iqn.2026-11.io.example:victim";
    static final String ADDR = "192.0.2.1";

    final LoginThrottle t = new LoginThrottle(1 * S, 60 * S);

    long waitOf(String name, String address, long now) {
        LoginThrottle.Admission a = t.admit(name, address, now, now + 3600 * S);
        assertThat(a.refused()).isFalse();
        return a.waitNanos();
    }

    @Test
    void nobodyWaitsBeforeAFailure() {
        assertThat(waitOf(NAME, ADDR, 0)).isZero();
        assertThat(waitOf(NAME, ADDR, 0)).isZero();
        assertThat(t.stats()).isEqualTo(new LoginThrottle.Stats(0, 0, 0, 0));
    }

    @Test
    void aGuesserOnOneConnectionAtATimeWaitsTwiceAsLongAfterEachFailureUpToTheMaximum() {
        long now = 0;
        List<Long> waits = new ArrayList<>();
        assertThat(t.failed(NAME, ADDR, now)).isEqualTo(1 * S);
        for (int i = 0; i < 9; i++) {
            long w = waitOf(NAME, ADDR, now);
            waits.add(w / S);
            now += w;
            t.failed(NAME, ADDR, now);
        }
        assertThat(waits).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(t.failuresOfName(NAME)).isEqualTo(10);
        assertThat(t.stats().authFailures()).isEqualTo(10);
        assertThat(t.stats().delayed()).isEqualTo(9);
    }

    @Test
    void theNameAndTheAddressAreThrottledEachOnItsOwn() {
        t.failed(NAME, ADDR, 0);
        assertThat(waitOf(NAME, "198.51.100.7", 0)).as("same name, other address").isEqualTo(1 * S);
        assertThat(waitOf("iqn.2026-11.io.example:other", ADDR, 0)).as("other name, same address")
                .isEqualTo(1 * S);
        assertThat(waitOf("iqn.2026-11.io.example:other", "198.51.100.7", 0)).as("neither").isZero();
        assertThat(waitOf(null, "198.51.100.8", 0)).as("no name yet, other address").isZero();
    }

    @Test
    void parallelConnectionsAreSpacedByTheBackoffNotReleasedTogether() {
        t.failed(NAME, ADDR, 0);
        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            waits.add(waitOf(NAME, ADDR, 0) / S);
        }
        assertThat(waits).containsExactly(1L, 2L, 3L, 4L, 5L);
        // A failure while slots are handed out only moves the next free slot further.
        t.failed(NAME, ADDR, 1 * S);
        assertThat(waitOf(NAME, ADDR, 1 * S)).isEqualTo(5 * S);
        assertThat(waitOf(NAME, ADDR, 1 * S)).isEqualTo(7 * S);
    }

    @Test
    void aSlotBeyondTheLoginDeadlineIsRefusedAndReservesNothing() {
        t.failed(NAME, ADDR, 0);
        t.failed(NAME, ADDR, 0);
        t.failed(NAME, ADDR, 0); // back-off 4 s
        LoginThrottle.Admission a = t.admit(NAME, ADDR, 0, 3 * S);
        assertThat(a.refused()).isTrue();
        assertThat(a.waitNanos()).isEqualTo(4 * S);
        assertThat(t.stats().refused()).isEqualTo(1);
        assertThat(waitOf(NAME, ADDR, 0)).as("the refused login took no slot").isEqualTo(4 * S);
        assertThat(t.admit(NAME, ADDR, 0, 8 * S).waitNanos()).as("the next slot, exactly at the deadline")
                .isEqualTo(8 * S);
    }

    @Test
    void aSuccessfulLoginClearsItsNameAndItsAddressOnly() {
        t.failed(NAME, ADDR, 0);
        t.failed("iqn.2026-11.io.example:other", "198.51.100.7", 0);
        t.succeeded(NAME, ADDR);
        assertThat(waitOf(NAME, ADDR, 0)).isZero();
        assertThat(t.failuresOfName(NAME)).isZero();
        assertThat(waitOf("iqn.2026-11.io.example:other", "203.0.113.1", 0)).isEqualTo(1 * S);
        // After the reset a failure starts over at the first back-off.
        t.failed(NAME, ADDR, 0);
        assertThat(waitOf(NAME, ADDR, 0)).isEqualTo(1 * S);
    }

    @Test
    void idleEntriesAreForgotten() {
        for (int i = 0; i < 7; i++) {
            t.failed(NAME, ADDR, 0); // back-off 60 s, slot at 60 s
        }
        long later = 60 * S + LoginThrottle.FORGET_FACTOR * 60 * S;
        assertThat(waitOf(NAME, ADDR, later)).as("not yet forgotten, slot passed").isZero();
        long muchLater = later + 60 * S + LoginThrottle.FORGET_FACTOR * 60 * S + 1;
        assertThat(waitOf(NAME, ADDR, muchLater)).isZero();
        assertThat(t.stats().tracked()).isZero();
        t.failed(NAME, ADDR, muchLater);
        assertThat(waitOf(NAME, ADDR, muchLater)).as("starts over").isEqualTo(1 * S);
    }

    @Test
    void theTableIsBoundedAndRotatingKeysDoNotEvictAKeyThatFailedOften() {
        LoginThrottle small = new LoginThrottle(1 * S, 60 * S, 64);
        for (int i = 0; i < 5; i++) {
            small.failed(NAME, null, 0);
        }
        for (int i = 0; i < 10_000; i++) {
            small.failed("iqn.2026-11.io.example:rotated" + i, "10.0." + (i >> 8 & 255) + "." + (i & 255), i);
            assertThat(small.stats().tracked()).isLessThanOrEqualTo(64);
        }
        assertThat(small.failuresOfName(NAME)).isEqualTo(5);
        assertThat(small.admit(NAME, "203.0.113.9", 10_000, FAR).waitNanos()).isPositive();
    }

    @Test
    void longNamesAreCutSoTheyCannotGrowAnEntry() {
        String huge = "iqn.2026-11.io.example:" + "x".repeat(60_000);
        t.failed(huge, ADDR, 0);
        assertThat(t.failuresOfName(huge + "different tail")).isEqualTo(1);
        assertThat(t.failuresOfName(NAME)).isZero();
    }

    @Test
    void theBackoffNeverOverflows() {
        LoginThrottle big = new LoginThrottle(3_600_000 * 1_000_000L, 3_600_000 * 1_000_000L);
        assertThat(big.backoff(63)).isEqualTo(3_600_000 * 1_000_000L);
        assertThat(t.backoff(1)).isEqualTo(1 * S);
        assertThat(t.backoff(7)).isEqualTo(60 * S);
        assertThat(t.backoff(40)).isEqualTo(60 * S);
        for (int i = 0; i < 200; i++) {
            t.failed(NAME, ADDR, 0);
        }
        assertThat(waitOf(NAME, ADDR, 0)).isEqualTo(60 * S);
    }

    @Test
    void zeroTurnsTheThrottleOffButFailuresAreStillCounted() {
        LoginThrottle off = new LoginThrottle(0, 0);
        assertThat(off.failed(NAME, ADDR, 0)).isZero();
        assertThat(off.admit(NAME, ADDR, 0, 0).waitNanos()).isZero();
        assertThat(off.stats()).isEqualTo(new LoginThrottle.Stats(1, 0, 0, 0));
    }

    @Test
    void theClockMayWrap() {
        long start = Long.MAX_VALUE - S / 2; // System.nanoTime() may be any value, also near overflow
        t.failed(NAME, ADDR, start);
        assertThat(waitOf(NAME, ADDR, start)).isEqualTo(1 * S);
        assertThat(waitOf(NAME, ADDR, start + 3 * S)).isZero();
    }
}
