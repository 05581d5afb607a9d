package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.spc.CoreFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The life cycle of one task: ACTIVE, then COMPLETING or ABORTED, then ENDED ({@link ScsiTask}). */
class ScsiTaskTest {
    private final CoreFixture f = new CoreFixture();
    private final AtomicInteger abortCalls = new AtomicInteger();

    private ScsiTask task() {
        ScsiTask t = new ScsiTask(f.core, f.a, f.lunMap, 0, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), 1,
                x -> abortCalls.incrementAndGet());
        f.core.enter(t);
        return t;
    }

    @Test
    void claimingCompletionFirstWinsOverAnAbort() {
        // SAM-5 5.6: a command whose status is being sent is no longer aborted
        ScsiTask t = task();
        assertThat(t.claimCompletion()).isTrue();
        assertThat(t.tryAbort(AbortOutcome.TASK_ABORTED_STATUS)).isFalse();
        assertThat(t.phase()).isEqualTo(ScsiTask.Phase.COMPLETING);
        assertThat(t.isAborted()).isFalse();
        assertThat(t.abortOutcome()).isNull();
        assertThat(abortCalls.get()).isZero();
    }

    @Test
    void abortingFirstWinsOverCompletionAndTellsTheListenerOnce() {
        // SAM-5 5.6: an aborted command sends no status it is not entitled to
        ScsiTask t = task();
        assertThat(t.tryAbort(AbortOutcome.SILENT)).isTrue();
        assertThat(t.claimCompletion()).isFalse();
        assertThat(t.tryAbort(AbortOutcome.TASK_ABORTED_STATUS)).isFalse();
        assertThat(t.phase()).isEqualTo(ScsiTask.Phase.ABORTED);
        assertThat(t.isAborted()).isTrue();
        assertThat(t.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(abortCalls.get()).isEqualTo(1);
    }

    @Test
    void underConcurrencyExactlyOneOfAbortAndCompletionWins() throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        for (int i = 0; i < 2000; i++) {
            abortCalls.set(0);
            ScsiTask t = task();
            boolean[] won = new boolean[2];
            Thread aborter = Thread.ofPlatform().start(() -> {
                await(start);
                won[0] = t.tryAbort(AbortOutcome.TASK_ABORTED_STATUS);
            });
            await(start);
            won[1] = t.claimCompletion();
            aborter.join();
            assertThat(won[0] ^ won[1]).as("exactly one wins, round %d", i).isTrue();
            assertThat(abortCalls.get()).isEqualTo(won[0] ? 1 : 0);
            assertThat(t.abortOutcome()).isEqualTo(won[0] ? AbortOutcome.TASK_ABORTED_STATUS : null);
            assertThat(t.phase()).isEqualTo(won[0] ? ScsiTask.Phase.ABORTED : ScsiTask.Phase.COMPLETING);
            t.end();
        }
        assertThat(f.lu.tasks().size()).isZero();
    }

    private static void await(CyclicBarrier b) {
        try {
            b.await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void endLeavesTheTaskSetAndRunsEveryWaiter() throws Exception {
        // SAM-5 4.6: an ended task is no longer in its task set
        ScsiTask t = task();
        assertThat(f.lu.tasks().select(x -> x == t)).containsExactly(t);
        List<String> ran = new ArrayList<>();
        t.whenEnded(() -> ran.add("one"));
        t.whenEnded(() -> ran.add("two"));
        assertThat(ran).isEmpty();
        assertThat(t.claimCompletion()).isTrue();
        t.end();
        assertThat(ran).containsExactly("one", "two");
        assertThat(t.phase()).isEqualTo(ScsiTask.Phase.ENDED);
        assertThat(f.lu.tasks().size()).isZero();
        t.whenEnded(() -> ran.add("late")); // after the end: runs at once
        assertThat(ran).containsExactly("one", "two", "late");
        assertThat(new TaskManager.Aborted(List.of(t)).await(1, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void anEndedAbortedTaskKeepsItsOutcome() {
        ScsiTask t = task();
        t.tryAbort(AbortOutcome.TASK_ABORTED_STATUS);
        t.end();
        assertThat(t.abortOutcome()).isEqualTo(AbortOutcome.TASK_ABORTED_STATUS);
        assertThat(t.tryAbort(AbortOutcome.SILENT)).isFalse();
    }

    @Test
    void endFromAnotherThreadReleasesAWaiter() throws Exception {
        ScsiTask t = task();
        Thread.ofPlatform().start(() -> {
            sleep(20);
            t.end();
        });
        assertThat(new TaskManager.Aborted(List.of(t)).await(5, TimeUnit.SECONDS)).isTrue();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
