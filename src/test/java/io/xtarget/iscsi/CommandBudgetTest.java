package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.MIB;
import static io.xtarget.iscsi.SchedulerHarness.read;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A session's commands and its data budget, without a scheduler: reserving, waiting in line, retrying. */
class CommandBudgetTest {
    final DataBudget budget = new DataBudget(MIB, 256 * MIB);
    final DataBudget.Account account = budget.newAccount();
    final AtomicInteger releases = new AtomicInteger();
    final CommandBudget line = new CommandBudget(budget, account, releases::incrementAndGet);

    static IscsiTask task(int itt, IscsiTask.Stage stage) {
        IscsiTask t = new IscsiTask(read(itt, itt, 512), null);
        t.stage = stage;
        return t;
    }

    /** A command in its task set that took the session's whole share (a reservation that fits). */
    IscsiTask holder(int itt) {
        IscsiTask t = task(itt, IscsiTask.Stage.IN_TASK_SET);
        assertThat(line.reserve(t, MIB, List.of(t), x -> true)).isTrue();
        assertThat(account.held()).isEqualTo(MIB);
        t.budget = MIB;
        return t;
    }

    @Test
    void overTheBoundACommandWithoutItsTurnWaits() {
        IscsiTask holder = holder(1);
        IscsiTask early = task(2, IscsiTask.Stage.RECEIVED);
        IscsiTask heldBack = task(3, IscsiTask.Stage.IN_TASK_SET);
        assertThat(line.reserve(early, 512, List.of(holder, early), x -> true)).isFalse();
        assertThat(line.reserve(heldBack, 512, List.of(holder, heldBack), x -> x != heldBack)).isFalse();
        assertThat(account.held()).isEqualTo(MIB);
    }

    @Test
    void theOldestCommandThatCanRunIsNeverStarvedByHoldersThatCannotMove() {
        IscsiTask stuck = holder(2);
        IscsiTask oldest = task(1, IscsiTask.Stage.IN_TASK_SET);
        // the holder can move: its bytes come back, so the oldest waits
        assertThat(line.reserve(oldest, 512, List.of(stuck, oldest), x -> true)).isFalse();
        // the holder is held back by the oldest's task attribute: waiting would never end
        assertThat(line.reserve(oldest, 512, List.of(stuck, oldest), x -> x == oldest)).isTrue();
        assertThat(account.held()).isEqualTo(MIB + 512);
        // a running holder always gives its bytes back
        stuck.stage = IscsiTask.Stage.RUNNING;
        assertThat(line.reserve(oldest, 512, List.of(stuck, oldest), x -> x == oldest)).isFalse();
    }

    @Test
    void waitingCommandsAreRetriedOldestFirstAndTheFirstThatStillWaitsKeepsItsPlace() {
        assertThat(account.tryReserve(MIB)).isTrue(); // something holds bytes: the watch waits for them
        IscsiTask a = task(1, IscsiTask.Stage.IN_TASK_SET);
        IscsiTask gone = task(2, IscsiTask.Stage.IN_TASK_SET);
        IscsiTask b = task(3, IscsiTask.Stage.IN_TASK_SET);
        IscsiTask c = task(4, IscsiTask.Stage.IN_TASK_SET);
        line.await(a);
        line.await(gone);
        line.await(b);
        line.await(c);
        line.await(a); // already waiting: keeps its place
        assertThat(releases).hasValue(0);
        account.release(MIB, 0);
        assertThat(releases).hasValue(1); // one watch for the whole line

        gone.stage = IscsiTask.Stage.ENDED;
        List<IscsiTask> tried = new ArrayList<>();
        Set<IscsiTask> stillShort = Set.of(b);
        assertThat(account.tryReserve(MIB)).isTrue();
        line.retry(t -> {
            tried.add(t);
            if (stillShort.contains(t)) {
                line.await(t);
            }
        });
        assertThat(tried).containsExactly(a, b); // the ended one skipped, c not reached
        account.release(MIB, 0);
        assertThat(releases).hasValue(2); // the line still waits: watched again

        tried.clear();
        line.retry(tried::add);
        assertThat(tried).containsExactly(b, c); // b kept its place at the head
        tried.clear();
        line.retry(tried::add);
        assertThat(tried).isEmpty();
    }

    @Test
    void aCommandThatWaitsNoMoreIsNotRetried() {
        IscsiTask a = task(1, IscsiTask.Stage.IN_TASK_SET);
        line.await(a);
        assertThat(releases).hasValue(1); // nothing reserved anywhere: the watch fires at once
        line.remove(a);
        List<IscsiTask> tried = new ArrayList<>();
        line.retry(tried::add);
        assertThat(tried).isEmpty();
    }
}
