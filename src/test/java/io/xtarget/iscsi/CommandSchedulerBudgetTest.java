package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.MIB;
import static io.xtarget.iscsi.SchedulerHarness.UNSOLICITED;
import static io.xtarget.iscsi.SchedulerHarness.params;
import static io.xtarget.iscsi.SchedulerHarness.read;
import static io.xtarget.iscsi.SchedulerHarness.tur;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.TaskAttribute;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.ScsiTaskAccess;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The data budget: R2Ts and reads wait for room, forced bytes never do, release gives back. */
class CommandSchedulerBudgetTest {
    private static final int KIB = 1024;

    @Test
    void aWritesSolicitedPartWaitsForBudgetAndGetsItsR2tsOnceAnotherCommandReleases() {
        // RFC 7143 11.8: the target sends an R2T when it is ready to take the data
        SchedulerHarness h = new SchedulerHarness(params(), MIB, 256 * MIB);
        IscsiTask big = h.arrive(read(1, 1, (int) MIB));
        h.assertStarted(big);
        IscsiTask w = h.arrive(write(2, 2, 64 * KIB));
        assertThat(h.sent()).isEmpty(); // no R2T: the session's bound is full
        assertThat(w.budget).isZero();
        assertThat(h.scheduler.dataOutOverdue(System.nanoTime() + 3600_000_000_000L, 1)).isFalse();
        h.run(big);
        List<Pdu> out = h.sent(); // the read's Data-In and status, then, once they are written, the R2T
        assertThat(out.get(out.size() - 1)).isInstanceOf(R2t.class);
        assertThat(out.stream().filter(p -> p instanceof R2t)).hasSize(1);
        assertThat(w.budget).isEqualTo(64 * KIB);
        assertThat(h.answer((R2t) out.get(out.size() - 1))).isNull();
        h.assertStarted(big, w);
    }

    @Test
    void aReadWaitsForBudgetBeforeStarting() {
        // RFC 7143 11.7: Data-In is produced only when there is room to hold it
        SchedulerHarness h = new SchedulerHarness(params(), MIB, 256 * MIB);
        IscsiTask big = h.arrive(read(1, 1, (int) MIB));
        IscsiTask small = h.arrive(read(2, 2, 64 * KIB));
        h.assertStarted(big);
        assertThat(small.stage).isEqualTo(IscsiTask.Stage.IN_TASK_SET);
        h.run(big);
        h.assertStarted(big); // its Data-In is not on the wire yet: the budget is still held
        h.sent();
        h.assertStarted(big, small);
        assertThat(small.budget).isEqualTo(64 * KIB);
    }

    @Test
    void forcedBytesNeverBlock() {
        // RFC 7143 13.14: the target must accept up to FirstBurstLength of unsolicited data per command
        SchedulerHarness h = new SchedulerHarness(params("InitialR2T", "No", "FirstBurstLength", "65536"),
                64 * KIB, 256 * MIB);
        IscsiTask w1 = h.arrive(write(1, 1, 64 * KIB, 4096, false, TaskAttribute.SIMPLE));
        IscsiTask w2 = h.arrive(write(2, 2, 64 * KIB, 0, false, TaskAttribute.SIMPLE));
        assertThat(h.budget.used()).isEqualTo(128 * KIB); // beyond the session's bound
        assertThat(h.dataOut(1, UNSOLICITED, 0, 4096, 60 * KIB, true)).isNull();
        assertThat(h.dataOut(2, UNSOLICITED, 0, 0, 64 * KIB, true)).isNull();
        IscsiTask r = h.arrive(read(3, 3, 64 * KIB)); // holding only forced bytes, nothing makes it wait
        h.assertStarted(w1, w2, r);
        assertThat(h.sent()).isEmpty(); // no R2T was needed
    }

    @Test
    void releaseGivesBackBuffersAndBudgetAndEndsTheScsiTask() {
        // SAM-5 5.6: a task ends when its status is delivered; task management waits for that
        SchedulerHarness h = new SchedulerHarness();
        IscsiTask w = h.arrive(write(1, 1, 64 * KIB));
        h.answer(h.r2ts().get(0));
        h.assertStarted(w);
        ScsiTask s = w.scsi;
        AtomicInteger ended = new AtomicInteger();
        ScsiTaskAccess.whenEnded(s, ended::incrementAndGet);
        h.run(w); // completed and response queued, not yet written
        assertThat(ended).hasValue(0);
        assertThat(h.budget.used()).isEqualTo(64 * KIB);
        assertThat(w.dataBuffer).isNotNull();
        assertThat(h.lu.tasks().size()).isEqualTo(1);
        h.sent();
        assertThat(ended).hasValue(1);
        assertThat(h.budget.used()).isZero();
        assertThat(w.dataBuffer).isNull();
        assertThat(s.phase()).isEqualTo(ScsiTask.Phase.ENDED);
        assertThat(h.lu.tasks().size()).isZero();
        assertThat(h.scheduler.liveTasks()).isZero();
    }

    /** Plays the initiator: answers every R2T, and the ones those answers bring, until none is asked for. */
    private static void answerR2ts(SchedulerHarness h) {
        List<R2t> asked;
        while (!(asked = h.sent().stream().filter(R2t.class::isInstance).map(R2t.class::cast).toList()).isEmpty()) {
            asked.forEach(r -> assertThat(h.answer(r)).isNull());
        }
    }

    @Test
    void anOrderedWriteAsksForNoDataBeforeOlderTasksEndSoItHoldsNoBudgetTheyNeed() {
        // SAM-5 8.6.3: the ORDERED write waits for the older read; it must not hold the room that read waits for
        SchedulerHarness h = new SchedulerHarness(params(), MIB, 256 * MIB);
        IscsiTask first = h.arrive(tur(1, 1, TaskAttribute.ORDERED));
        IscsiTask r = h.arrive(read(2, 2, 512 * KIB)); // waits for the ORDERED task, reserving nothing yet
        IscsiTask w = h.arrive(write(3, 3, 768 * KIB, 0, true, TaskAttribute.ORDERED));
        answerR2ts(h);
        h.run(first);
        answerR2ts(h);
        h.assertStarted(first, r);
        h.run(r);
        answerR2ts(h);
        h.assertStarted(first, r, w);
    }

    @Test
    void aWriteHeldBackByAnOlderOrderedTaskHoldsNoBudgetThatTaskNeeds() {
        // SAM-5 8.6.3: a SIMPLE task younger than an ORDERED one waits for it, so it must not hold its room
        SchedulerHarness h = new SchedulerHarness(params(), MIB, 256 * MIB);
        IscsiTask r = h.arrive(read(1, 1, 960 * KIB));
        IscsiTask o = h.arrive(write(2, 2, (int) MIB, 0, true, TaskAttribute.ORDERED));
        IscsiTask s = h.arrive(write(3, 3, 64 * KIB));
        answerR2ts(h);
        h.assertStarted(r);
        h.run(r);
        answerR2ts(h);
        h.assertStarted(r, o);
        h.run(o);
        answerR2ts(h);
        h.assertStarted(r, o, s);
    }

    @Test
    void reservationsOfCommandsThatCannotMoveNeverStarveTheOldestOneThatCan() {
        // SAM-5 8.6.3 + RFC 7143 3.2.2.1: a write behind a CmdSN gap got its R2T and its budget; the
        // ORDERED read filling the gap must run before it, so it may not wait for that budget
        SchedulerHarness h = new SchedulerHarness(params(), MIB, 256 * MIB);
        IscsiTask w = h.arrive(write(3, 2, 768 * KIB)); // CmdSN 1 missing: waits, asks for its data
        answerR2ts(h);
        assertThat(w.stage).isEqualTo(IscsiTask.Stage.RECEIVED);
        IscsiTask r = h.arrive(read(2, 1, 512 * KIB, TaskAttribute.ORDERED)); // fills the gap, holds the write back
        h.assertStarted(r);
        h.run(r);
        h.assertStarted(r, w);
    }
}
