package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.immediate;
import static io.xtarget.iscsi.SchedulerHarness.tur;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.TaskAttribute;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.TaskManager;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Aborted and dropped commands: how {@link CommandScheduler} ends them. */
class CommandSchedulerAbortTest {
    private final SchedulerHarness h = new SchedulerHarness();

    @Test
    void aTaskAbortedWhileWaitingForDataIsEndedAndTakesNoMoreData() {
        // SAM-5 7.2: ABORT TASK ends the task; RFC 7143 11.7: its later Data-Out is discarded
        IscsiTask w = h.arrive(write(1, 1, 8192));
        R2t r = h.r2ts().get(0);
        int fullWindow = h.session.window.maxCmdSn() + 1;
        TaskManager.Aborted a = h.abort(w);
        assertThat(a.tasks()).containsExactly(w.scsi);
        assertThat(h.runner.endedAborted).containsExactly(w);
        AtomicInteger done = new AtomicInteger();
        a.whenEnded(done::incrementAndGet);
        assertThat(done).hasValue(1);
        assertThat(w.collector.check(r.ttt(), 0, 0, 512, false)).isInstanceOf(DataOutCollector.Drop.class);
        assertThat(h.dataOut(1, r.ttt(), 0, 0, 8192, true)).isNull();
        assertThat(h.placed).isFalse();
        h.assertStarted();
        assertThat(h.sent()).isEmpty(); // aborted by its own nexus: ends silently (SAM-5 5.6)
        assertThat(h.budget.used()).isZero();
        assertThat(h.scheduler.liveTasks()).isZero();
        assertThat(h.session.window.maxCmdSn()).isEqualTo(fullWindow);
    }

    @Test
    void aTaskAbortedWhileWaitingForItsTurnIsEndedAndNeverStarts() {
        // SAM-5 7.2, 8.6.3: an aborted ORDERED task never runs
        IscsiTask s1 = h.arrive(tur(1, 1));
        IscsiTask o = h.arrive(tur(2, 2, TaskAttribute.ORDERED));
        IscsiTask s2 = h.arrive(tur(3, 3));
        h.assertStarted(s1);
        h.abort(o);
        assertThat(h.runner.endedAborted).containsExactly(o);
        h.assertStarted(s1, s2); // it left the task set: it holds nobody back any more
        h.run(s1);
        h.assertStarted(s1, s2);
    }

    @Test
    void aTaskAbortedByAnotherNexusWithTasEndsWithTaskAborted() {
        // SAM-5 5.6: with TAS=1 a task aborted by another I_T nexus ends with TASK ABORTED status
        h.lu.mode().taskAbortedStatus = true;
        IscsiTask w = h.arrive(write(1, 1, 8192));
        h.sent();
        Nexus other = IscsiPorts.nexus("iqn.1994-05.com.example:other", 1, h.session.nexus.port());
        h.core.taskManager().abort(List.of(w.scsi), other, false);
        h.runPosted();
        ScsiResponsePdu rsp = (ScsiResponsePdu) h.sent().get(0);
        assertThat(rsp.itt()).isEqualTo(1);
        assertThat(rsp.status()).isEqualTo(0x40);
        assertThat(h.budget.used()).isZero(); // given back once the status was written
    }

    @Test
    void aRunningTaskIsLeftToItsRunner() {
        // SAM-5 7.2: a running task stops where its device server notices the abort
        IscsiTask t = h.arrive(tur(1, 1));
        TaskManager.Aborted a = h.abort(t);
        assertThat(a.tasks()).containsExactly(t.scsi);
        assertThat(h.runner.endedAborted).isEmpty();
        assertThat(t.scsi.isAborted()).isTrue();
        AtomicInteger done = new AtomicInteger();
        a.whenEnded(done::incrementAndGet);
        assertThat(done).hasValue(0);
        h.run(t); // the runner finds it aborted
        assertThat(h.runner.endedAborted).containsExactly(t);
        assertThat(done).hasValue(1);
        assertThat(h.sent()).isEmpty();
    }

    @Test
    void dropWaitingDropsReceivedTasksAndFreesTheirSlotWhenTheirTurnComes() {
        // RFC 7143 11.5.1: a task still waiting for an earlier CmdSN is aborted by never delivering it
        IscsiTask w = h.arrive(write(2, 2, 16384, 512, true, TaskAttribute.SIMPLE));
        IscsiTask t3 = h.arrive(tur(3, 3));
        assertThat(h.r2ts()).hasSize(1); // its data may come while it waits for its turn
        assertThat(h.budget.used()).isEqualTo(16384);
        assertThat(h.scheduler.dropWaiting(x -> x == w)).containsExactly(w);
        assertThat(w.droppedEarly).isTrue();
        assertThat(h.budget.used()).isZero();
        assertThat(h.scheduler.inUse(2)).isFalse();
        h.dataOut(2, 1, 0, 0, 8192, true);
        assertThat(h.placed).isFalse();
        IscsiTask c1 = h.arrive(tur(1, 1));
        h.assertStarted(c1, t3);
        assertThat(w.scsi).isNull(); // it never entered a task set
        assertThat(h.session.window.expCmdSn()).isEqualTo(4);
        assertThat(h.session.window.maxCmdSn()).isEqualTo(4 + Session.QUEUE_DEPTH - 2 - 1); // c1 and t3 only
    }

    @Test
    void closeDropsEverythingWaitingAndNexusLossEndsTheRest() {
        // SAM-5 6.3.4: I_T nexus loss aborts the tasks in task sets; the ones not yet delivered are dropped
        IscsiTask w2 = h.arrive(write(2, 2, 8192)); // behind the missing CmdSN 1
        IscsiTask t3 = h.arrive(tur(3, 3));
        IscsiTask now = h.arrive(immediate(write(4, 1, 8192))); // in its task set, waiting for data
        h.scheduler.close();
        assertThat(w2.droppedEarly).isTrue();
        assertThat(t3.droppedEarly).isTrue();
        assertThat(now.droppedEarly).isFalse();
        assertThat(h.scheduler.liveTasks()).isEqualTo(1);
        h.core.nexusLost(h.session.nexus, h.session.lunMap);
        h.runPosted();
        assertThat(h.runner.endedAborted).containsExactly(now);
        h.assertStarted();
        assertThat(h.scheduler.liveTasks()).isZero();
        assertThat(h.budget.used()).isZero();
        assertThat(h.lu.tasks().size()).isZero();
    }
}
