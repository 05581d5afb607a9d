package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-session and server bounds on the command data held: {@link DataBudget}. */
class DataBudgetTest {
    private static final long MIB = 1 << 20;

    @Test
    void reservationsWithinBothBoundsAreTakenAndCounted() {
        DataBudget budget = new DataBudget(8 * MIB, 32 * MIB);
        DataBudget.Account a = budget.newAccount();
        assertThat(a.tryReserve(3 * MIB)).isTrue();
        assertThat(a.tryReserve(5 * MIB)).isTrue();
        assertThat(a.held()).isEqualTo(8 * MIB);
        assertThat(budget.used()).isEqualTo(8 * MIB);
    }

    @Test
    void aSessionAtItsOwnLimitIsRefused() {
        DataBudget budget = new DataBudget(8 * MIB, 32 * MIB);
        DataBudget.Account a = budget.newAccount();
        assertThat(a.tryReserve(6 * MIB)).isTrue();
        assertThat(a.tryReserve(3 * MIB)).isFalse();
        assertThat(a.held()).isEqualTo(6 * MIB);
        assertThat(budget.newAccount().tryReserve(3 * MIB)).isTrue(); // another session is not held back
    }

    @Test
    void aSessionHoldingNothingMayExceedItsOwnLimitWhenTheServerHasRoom() {
        DataBudget budget = new DataBudget(1 * MIB, 32 * MIB);
        DataBudget.Account a = budget.newAccount();
        assertThat(a.tryReserve(16 * MIB)).isTrue(); // a command never waits for a bound smaller than itself
        assertThat(a.tryReserve(1)).isFalse();
    }

    @Test
    void theServerBoundHoldsAcrossSessions() {
        DataBudget budget = new DataBudget(8 * MIB, 10 * MIB);
        DataBudget.Account a = budget.newAccount();
        DataBudget.Account b = budget.newAccount();
        assertThat(a.tryReserve(8 * MIB)).isTrue();
        assertThat(b.tryReserve(3 * MIB)).isFalse(); // the server has 2 MiB left
        assertThat(b.tryReserve(2 * MIB)).isTrue(); // holding nothing, it fits what the server has
        assertThat(budget.used()).isEqualTo(10 * MIB);
    }

    @Test
    void anIdleServerTakesOneReservationOfAnySize() {
        DataBudget budget = new DataBudget(1 * MIB, 4 * MIB);
        DataBudget.Account a = budget.newAccount();
        assertThat(a.tryReserve(64 * MIB)).isTrue();
        assertThat(budget.newAccount().tryReserve(1)).isFalse();
        a.release(64 * MIB, 0);
        assertThat(budget.used()).isZero();
    }

    @Test
    void forcedBytesAreNeverRefusedButCount() {
        // RFC 7143 13.14: unsolicited data up to FirstBurstLength arrives unasked
        DataBudget budget = new DataBudget(1 * MIB, 2 * MIB);
        DataBudget.Account a = budget.newAccount();
        a.force(3 * MIB);
        assertThat(a.held()).isEqualTo(3 * MIB);
        assertThat(budget.used()).isEqualTo(3 * MIB);
        assertThat(a.tryReserve(1)).as("no reservation anywhere: one may always be taken").isTrue();
        assertThat(budget.newAccount().tryReserve(1)).as("now forced + reserved exceed the server's bound").isFalse();
        a.release(1, 3 * MIB);
        assertThat(budget.newAccount().tryReserve(1 * MIB)).isTrue();
    }

    @Test
    void commandsHoldingOnlyForcedBytesNeverBlockEachOther() {
        // Many writes each bring their first burst unasked and then wait for room for the rest:
        // if forced bytes could refuse reservations, every one of them would wait for the others.
        DataBudget budget = new DataBudget(4 * MIB, 8 * MIB);
        DataBudget.Account a = budget.newAccount();
        for (int i = 0; i < 64; i++) {
            a.force(256 * 1024);
        }
        assertThat(a.held()).isEqualTo(16 * MIB);
        assertThat(a.tryReserve(4 * MIB)).isTrue();
        assertThat(a.tryReserve(4 * MIB)).as("now a reservation is held: the bound applies").isFalse();
    }

    @Test
    void releaseGivesBytesBackToSessionAndServer() {
        DataBudget budget = new DataBudget(8 * MIB, 32 * MIB);
        DataBudget.Account a = budget.newAccount();
        a.tryReserve(8 * MIB);
        a.release(5 * MIB, 0);
        assertThat(a.held()).isEqualTo(3 * MIB);
        assertThat(budget.used()).isEqualTo(3 * MIB);
        assertThat(a.tryReserve(5 * MIB)).isTrue();
    }

    @Test
    void waitersRunOnceOnTheNextReleaseInOrder() {
        DataBudget budget = new DataBudget(8 * MIB, 8 * MIB);
        DataBudget.Account a = budget.newAccount();
        a.tryReserve(8 * MIB);
        List<String> woken = new ArrayList<>();
        budget.whenReleased(() -> woken.add("first"));
        budget.whenReleased(() -> woken.add("second"));
        a.release(0, 0); // nothing given back: nobody is woken
        assertThat(woken).isEmpty();
        a.release(1 * MIB, 0);
        assertThat(woken).containsExactly("first", "second");
        a.release(1 * MIB, 0);
        assertThat(woken).containsExactly("first", "second"); // once only
    }

    @Test
    void aWaiterRegisteredAfterEverythingWasGivenBackRunsAtOnce() {
        // A refused reservation and its whenReleased are two steps: when the last bytes come back
        // in between, no release will ever come again, so the waiter must not wait for one.
        DataBudget budget = new DataBudget(8 * MIB, 8 * MIB);
        DataBudget.Account a = budget.newAccount();
        DataBudget.Account b = budget.newAccount();
        a.tryReserve(8 * MIB);
        assertThat(b.tryReserve(4 * MIB)).isFalse();
        a.release(8 * MIB, 0); // on another session's thread, before b registers
        List<String> woken = new ArrayList<>();
        budget.whenReleased(() -> woken.add("retry"));
        assertThat(woken).containsExactly("retry");
        assertThat(b.tryReserve(4 * MIB)).isTrue();
    }

    @Test
    void aWaiterCanRetryAndWaitAgainFromItsCallback() {
        DataBudget budget = new DataBudget(8 * MIB, 8 * MIB);
        DataBudget.Account a = budget.newAccount();
        DataBudget.Account b = budget.newAccount();
        a.tryReserve(8 * MIB);
        List<Boolean> tries = new ArrayList<>();
        Runnable[] retry = new Runnable[1];
        retry[0] = () -> {
            boolean ok = b.tryReserve(4 * MIB);
            tries.add(ok);
            if (!ok) {
                budget.whenReleased(retry[0]);
            }
        };
        retry[0].run();
        a.release(2 * MIB, 0); // 6 MiB used: 4 more do not fit
        a.release(2 * MIB, 0); // 4 MiB used: now they do
        assertThat(tries).containsExactly(false, false, true);
        assertThat(budget.used()).isEqualTo(8 * MIB);
    }
}
