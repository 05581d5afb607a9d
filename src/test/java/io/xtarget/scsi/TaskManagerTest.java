package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.spc.CoreFixture;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Who aborts what, and how the aborted tasks end: {@link TaskManager} over a core without a fabric. */
class TaskManagerTest {
    private final CoreFixture f = new CoreFixture();
    private final TaskManager tm = f.core.taskManager();
    private final Nexus c = IscsiPorts.nexus("iqn.2026-01.org.example:c", 0x400001370002L, f.port);
    private int tag;

    /** A task of {@code n} on LUN 0 that entered its task set; the fabric's abort listener does nothing. */
    private ScsiTask enter(Nexus n) {
        return enter(n, null);
    }

    private ScsiTask enter(Nexus n, ScsiTask.AbortListener listener) {
        ScsiTask t = new ScsiTask(f.core, n, f.lunMap, 0, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), ++tag, listener);
        f.core.enter(t);
        return t;
    }

    private UnitAttentions ua() {
        return f.lu.unitAttentions();
    }

    @Test
    void abortRequestedByTheTasksOwnNexusIsSilent() {
        // SAM-5 5.6: a task aborted by its own I_T nexus ends without status, whatever TAS says
        f.lu.mode().taskAbortedStatus = true;
        ScsiTask t = enter(f.a);
        TaskManager.Aborted a = tm.abortTask(t, f.a);
        assertThat(a.tasks()).containsExactly(t);
        assertThat(t.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(ua().peek(f.a)).isNull();
    }

    @Test
    void abortByAnotherNexusWithTasZeroIsSilentAndTellsTheVictimsNexus() {
        // SAM-5 5.6, SPC-4 7.5.8: TAS=0, COMMANDS CLEARED BY ANOTHER INITIATOR (2F/00) for the victim
        ScsiTask t = enter(f.a);
        tm.abort(List.of(t), f.b, false);
        assertThat(t.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(ua().poll(f.a)).isEqualTo(UnitAttentions.COMMANDS_CLEARED_BY_ANOTHER);
        assertThat(ua().peek(f.b)).isNull();
    }

    @Test
    void abortByAnotherNexusWithItsOwnEventAttentionAddsNo2F00() {
        // SAM-5 5.6: the event's own unit attention (e.g. 29/03) replaces 2F/00
        ScsiTask t = enter(f.a);
        tm.abort(List.of(t), f.b, true);
        assertThat(t.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(ua().peek(f.a)).isNull();
    }

    @Test
    void abortByAnotherNexusWithTasOneEndsWithTaskAbortedStatus() {
        // SAM-5 5.6, SPC-4 7.5.8: TAS=1, TASK ABORTED status and no unit attention
        f.lu.mode().taskAbortedStatus = true;
        ScsiTask t = enter(f.a);
        tm.abort(List.of(t), f.b, false);
        assertThat(t.abortOutcome()).isEqualTo(AbortOutcome.TASK_ABORTED_STATUS);
        assertThat(ua().peek(f.a)).isNull();
    }

    @Test
    void aTaskWhoseStatusIsBeingSentIsNotAborted() {
        ScsiTask t = enter(f.a);
        assertThat(t.claimCompletion()).isTrue();
        TaskManager.Aborted a = tm.abort(List.of(t), f.b, false);
        assertThat(a.tasks()).isEmpty();
        assertThat(ua().peek(f.a)).isNull(); // nothing was cleared
    }

    @Test
    void theAbortListenerIsCalledOnceEvenWhenTwoFunctionsAbort() {
        AtomicInteger calls = new AtomicInteger();
        ScsiTask t = enter(f.a, x -> calls.incrementAndGet());
        tm.abortTask(t, f.a);
        tm.abortTaskSet(f.lu, f.a);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void logicalUnitResetAbortsEveryTaskAndTellsEveryAttachedNexus() {
        // SAM-5 6.3.3: LOGICAL UNIT RESET OCCURRED (29/03) for every I_T nexus, the requester's included
        ScsiTask ofA = enter(f.a);
        ScsiTask ofB = enter(f.b);
        ScsiTask done = enter(f.b);
        done.claimCompletion();
        TaskManager.Aborted a = tm.resetLogicalUnit(f.lu, f.a);
        assertThat(a.tasks()).containsExactlyInAnyOrder(ofA, ofB);
        assertThat(ofB.abortOutcome()).isEqualTo(AbortOutcome.SILENT); // TAS=0
        assertThat(ua().poll(f.a)).isEqualTo(UnitAttentions.LUN_RESET);
        assertThat(ua().poll(f.b)).isEqualTo(UnitAttentions.LUN_RESET);
        assertThat(ua().poll(f.b)).isNull(); // no 2F/00 on top of the reset's own attention
    }

    @Test
    void logicalUnitResetIsNotSeenByANexusFormedAfterIt() {
        // SAM-5 5.14: unit attentions go to the I_T nexuses that exist when the event happens
        tm.resetLogicalUnit(f.lu, f.a);
        f.core.nexusFormed(c, f.lunMap);
        assertThat(ua().peek(c)).isNull();
    }

    @Test
    void logicalUnitResetReleasesTheSpc2Reservation() throws Exception {
        // SPC-2 5.5.1, SPC-4 5.12.1: a reset releases RESERVE(6/10); persistent ones survive
        assertThat(f.lu.reservations().reserve(f.a)).isTrue();
        assertThat(f.lu.reservations().reservedByOther(f.b)).isTrue();
        tm.resetLogicalUnit(f.lu, f.b);
        assertThat(f.lu.reservations().reservedByOther(f.b)).isFalse();
    }

    @Test
    void abortTaskSetAbortsOnlyTheRequestersTasks() {
        // SAM-5 7.3 with TST 001b: each I_T nexus has its own task set
        ScsiTask a1 = enter(f.a);
        ScsiTask a2 = enter(f.a);
        ScsiTask b1 = enter(f.b);
        TaskManager.Aborted a = tm.abortTaskSet(f.lu, f.a);
        assertThat(a.tasks()).containsExactlyInAnyOrder(a1, a2);
        assertThat(b1.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        assertThat(a1.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(ua().peek(f.b)).isNull();
    }

    @Test
    void preemptAndAbortAbortsThePreemptedTasksAndWaitsUntilTheyEnded() {
        // SPC-4 5.12.11.2.6: the preempted nexuses' tasks are aborted, the command itself is not
        ScsiTask.AbortListener endLater = t -> Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            t.end();
        });
        ScsiTask victim = enter(f.b, endLater);
        ScsiTask command = enter(f.a);
        ScsiTask bystander = enter(f.a);
        ScsiTask other = enter(c);
        long start = System.nanoTime();
        tm.preemptAndAbort(f.lu, List.of(f.b), command);
        assertThat(victim.phase()).isEqualTo(ScsiTask.Phase.ENDED); // it returned only after the end
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(90));
        assertThat(victim.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(command.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        assertThat(bystander.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        assertThat(other.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        assertThat(ua().peek(f.b)).isNull(); // REGISTRATIONS PREEMPTED is its attention, not 2F/00
    }

    @Test
    void preemptAndAbortAlsoAbortsTheRequestersOwnTasksWhenItPreemptsItself() {
        // SPC-4 5.12.11.2.6: every task of a preempted nexus except the PERSISTENT RESERVE OUT itself
        ScsiTask command = enter(f.a);
        ScsiTask mine = enter(f.a, ScsiTask::end);
        tm.preemptAndAbort(f.lu, List.of(f.a), command);
        assertThat(mine.phase()).isEqualTo(ScsiTask.Phase.ENDED);
        assertThat(command.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
    }

    @Test
    void nexusLossAbortsItsTasksAndDetachesIt() throws Exception {
        // SAM-5 6.3.4: I_T nexus loss aborts its tasks; later events no longer reach it
        ScsiTask ofA = enter(f.a);
        ScsiTask ofB = enter(f.b);
        f.lu.reservations().reserve(f.a);
        TaskManager.Aborted a = f.core.nexusLost(f.a, f.lunMap);
        assertThat(a.tasks()).containsExactly(ofA);
        assertThat(ofA.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(ofB.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        assertThat(f.lu.reservations().reservedByOther(f.b)).isFalse();
        tm.resetLogicalUnit(f.lu, f.b);
        assertThat(ua().peek(f.a)).isNull();
        assertThat(ua().peek(f.b)).isEqualTo(UnitAttentions.LUN_RESET);
    }

    @Test
    void abortedWhenEndedRunsOnceAfterEveryTaskEndedOrAtOnceWhenNone() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        tm.abort(List.of(), f.a, false).whenEnded(ran::incrementAndGet);
        assertThat(ran.get()).isEqualTo(1);
        ScsiTask t1 = enter(f.a);
        ScsiTask t2 = enter(f.a);
        TaskManager.Aborted a = tm.abortTaskSet(f.lu, f.a);
        a.whenEnded(ran::incrementAndGet);
        t1.end();
        assertThat(ran.get()).isEqualTo(1);
        assertThat(a.await(1, TimeUnit.MILLISECONDS)).isFalse();
        t2.end();
        assertThat(ran.get()).isEqualTo(2);
        assertThat(a.await(1, TimeUnit.SECONDS)).isTrue();
    }
}
