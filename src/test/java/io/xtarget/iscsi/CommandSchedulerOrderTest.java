package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.immediate;
import static io.xtarget.iscsi.SchedulerHarness.tur;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.TaskAttribute;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import java.util.List;
import org.junit.jupiter.api.Test;

/** CmdSN order, the window's MaxCmdSN and task attributes, as {@link CommandScheduler} enforces them. */
class CommandSchedulerOrderTest {
    private final SchedulerHarness h = new SchedulerHarness();

    @Test
    void commandsAreDeliveredInCmdSnOrder() {
        // RFC 7143 3.2.2.1: commands are delivered to SCSI in CmdSN order
        IscsiTask c1 = h.arrive(tur(1, 1));
        IscsiTask c2 = h.arrive(tur(2, 2));
        h.assertStarted(c1, c2);
        assertThat(c1.scsi).isNotNull();
        assertThat(c2.scsi).isNotNull();
        assertThat(h.lu.tasks().size()).isEqualTo(2); // both entered the LU's task set
    }

    @Test
    void aCommandBehindAGapWaitsAndFillingTheGapStartsTheWaitingOnesInOrder() {
        // RFC 7143 3.2.2.1: a command is not delivered before every earlier CmdSN arrived
        IscsiTask c3 = h.arrive(tur(3, 3));
        IscsiTask c4 = h.arrive(tur(4, 4));
        assertThat(c3.stage).isEqualTo(IscsiTask.Stage.RECEIVED);
        assertThat(c3.scsi).isNull(); // no ScsiTask before its turn
        assertThat(h.lu.tasks().size()).isZero();
        h.assertStarted();
        IscsiTask c2 = h.arrive(tur(2, 2));
        h.assertStarted(); // CmdSN 1 still missing
        IscsiTask c1 = h.arrive(tur(1, 1));
        h.assertStarted(c1, c2, c3, c4);
        assertThat(h.session.window.expCmdSn()).isEqualTo(5);
    }

    @Test
    void aCommandOutsideTheWindowIsDroppedBeforeAnyR2tOrBudget() {
        // RFC 7143 3.2.2.1: a command outside [ExpCmdSN, MaxCmdSN] is silently ignored
        long used = h.budget.used();
        IscsiTask beyond = h.task(write(1, 1 + Session.QUEUE_DEPTH, 65536));
        assertThat(h.offer(beyond)).isFalse();
        IscsiTask done = h.arrive(tur(2, 1));
        IscsiTask old = h.task(write(3, 1, 65536)); // CmdSN 1 again: already received
        assertThat(h.offer(old)).isFalse();
        assertThat(h.sent()).isEmpty(); // no R2T for either
        assertThat(h.budget.used()).isEqualTo(used);
        assertThat(h.scheduler.inUse(1)).isFalse();
        assertThat(h.scheduler.inUse(3)).isFalse();
        h.assertStarted(done);
    }

    @Test
    void aSecondCommandWithAWaitingCmdSnIsDropped() {
        // RFC 7143 3.2.2.1: each CmdSN is delivered once
        IscsiTask first = h.arrive(tur(1, 2));
        assertThat(h.offer(h.task(write(2, 2, 4096)))).isFalse();
        assertThat(h.sent()).isEmpty();
        assertThat(h.budget.used()).isZero();
        IscsiTask c1 = h.arrive(tur(3, 1));
        h.assertStarted(c1, first);
    }

    @Test
    void anImmediateCommandIsDeliveredAtOnceAndCountedApartFromTheWindow() {
        // RFC 7143 3.2.2.1: an immediate command is delivered at once, whatever CmdSN order holds back
        IscsiTask waiting = h.arrive(tur(1, 2)); // CmdSN 1 is missing
        int maxBefore = h.session.window.maxCmdSn();
        IscsiTask urgent = h.arrive(immediate(tur(2, 1)));
        h.assertStarted(urgent);
        assertThat(h.session.window.expCmdSn()).isEqualTo(1); // not numbered
        assertThat(h.session.window.maxCmdSn()).isEqualTo(maxBefore);
        h.run(urgent);
        h.sent();
        assertThat(h.session.window.maxCmdSn()).isEqualTo(maxBefore);
        assertThat(waiting.stage).isEqualTo(IscsiTask.Stage.RECEIVED);
    }

    @Test
    void completingACommandOpensTheWindowBeforeItsResponseIsQueued() {
        // RFC 7143 3.2.2.1: MaxCmdSN widens as commands end; the response already carries it
        IscsiTask t = h.arrive(tur(1, 1));
        int narrow = h.session.window.maxCmdSn();
        assertThat(narrow).isEqualTo(2 + Session.QUEUE_DEPTH - 1 - 1); // ExpCmdSN 2, one slot in use
        long held = h.budget.used();
        int[] maxWhenQueued = new int[1];
        h.scheduler.finish(t, onSent -> {
            maxWhenQueued[0] = h.session.window.maxCmdSn();
            assertThat(h.budget.used()).isEqualTo(held); // buffers stay until the response is on the wire
            h.responses.complete(t, io.xtarget.scsi.ScsiResult.good(), null, onSent);
        });
        assertThat(maxWhenQueued[0]).isEqualTo(narrow + 1);
        List<Pdu> out = h.sent();
        assertThat(out).hasSize(1).first().isInstanceOf(ScsiResponsePdu.class);
        assertThat(new io.xtarget.iscsi.pdu.Bhs(PduCodec.header(out.get(0))).i32(32)).isEqualTo(narrow + 1);
    }

    @Test
    void orderedWaitsForOlderTasksAndHoldsBackYoungerSimpleOnes() {
        // SAM-5 8.6.3: an ORDERED task starts after every older task; younger ones wait for it
        IscsiTask s1 = h.arrive(tur(1, 1, TaskAttribute.SIMPLE));
        IscsiTask o = h.arrive(tur(2, 2, TaskAttribute.ORDERED));
        IscsiTask s2 = h.arrive(tur(3, 3, TaskAttribute.SIMPLE));
        h.assertStarted(s1);
        assertThat(o.stage).isEqualTo(IscsiTask.Stage.IN_TASK_SET);
        h.run(s1);
        h.assertStarted(s1, o);
        h.run(o);
        h.assertStarted(s1, o, s2);
    }

    @Test
    void headOfQueueStartsAtOnce() {
        // SAM-5 8.6.4: a HEAD OF QUEUE task is started before waiting tasks
        IscsiTask s1 = h.arrive(tur(1, 1));
        IscsiTask o = h.arrive(tur(2, 2, TaskAttribute.ORDERED));
        IscsiTask hoq = h.arrive(tur(3, 3, TaskAttribute.HEAD_OF_QUEUE));
        h.assertStarted(s1, hoq);
        h.run(hoq);
        h.assertStarted(s1, hoq); // the ORDERED task still waits for s1
        h.run(s1);
        h.assertStarted(s1, hoq, o);
    }

    @Test
    void endedTasksLetWaitingOnesStartEvenWhenTheyWereAborted() {
        // SAM-5 8.6.3: an ORDERED task waits for older tasks to end, however they end
        IscsiTask s1 = h.arrive(tur(1, 1));
        IscsiTask s2 = h.arrive(tur(2, 2));
        IscsiTask o = h.arrive(tur(3, 3, TaskAttribute.ORDERED));
        h.run(s2);
        h.assertStarted(s1, s2);
        h.abort(s1); // running: its runner ends it
        h.run(s1);
        assertThat(h.runner.endedAborted).containsExactly(s1);
        h.assertStarted(s1, s2, o);
    }
}
