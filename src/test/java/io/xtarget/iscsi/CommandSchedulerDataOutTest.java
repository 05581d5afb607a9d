package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.UNSOLICITED;
import static io.xtarget.iscsi.SchedulerHarness.params;
import static io.xtarget.iscsi.SchedulerHarness.pattern;
import static io.xtarget.iscsi.SchedulerHarness.tur;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.TaskAttribute;
import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Writes: R2Ts, Data-Out placement and its failures, as {@link CommandScheduler} handles them. */
class CommandSchedulerDataOutTest {
    private static final long SECOND = 1_000_000_000L;

    private static void assertR2t(R2t r, int itt, int r2tSn, long offset, long length) {
        assertThat(r.itt()).isEqualTo(itt);
        assertThat(r.r2tSn()).isEqualTo(r2tSn);
        assertThat(r.bufferOffset()).isEqualTo(offset);
        assertThat(r.desiredLength()).isEqualTo(length);
    }

    private static void assertSense(IscsiTask t, int key, int asc, int ascq) {
        assertThat(t.failure).isNotNull();
        Sense s = t.failure.sense();
        assertThat(List.of(s.key(), s.asc(), s.ascq())).containsExactly(key, asc, ascq);
    }

    @Test
    void r2tsAreSentOnlyForTheSolicitedPart() {
        // RFC 7143 11.8, 13.14: immediate data and the unsolicited burst fill FirstBurstLength; R2Ts ask for the rest
        SchedulerHarness h = new SchedulerHarness(params("InitialR2T", "No", "FirstBurstLength", "65536",
                "MaxBurstLength", "65536", "MaxOutstandingR2T", "4"));
        IscsiTask t = h.arrive(write(1, 1, 3 * 65536, 8192, false, TaskAttribute.SIMPLE));
        assertThat(h.sent()).isEmpty(); // the unsolicited burst may still come
        assertThat(h.dataOut(1, UNSOLICITED, 0, 8192, 65536 - 8192, true)).isNull();
        List<R2t> r2ts = h.r2ts();
        assertThat(r2ts).hasSize(2);
        assertR2t(r2ts.get(0), 1, 0, 65536, 65536);
        assertR2t(r2ts.get(1), 1, 1, 2 * 65536, 65536);
        assertThat(t.dataSn).isEqualTo(2);
    }

    @Test
    void atMostMaxOutstandingR2tAreOutstandingInOffsetOrder() {
        // RFC 7143 13.17: at most MaxOutstandingR2T R2Ts per task; R2TSN counts 0, 1, 2 in offset order
        SchedulerHarness h = new SchedulerHarness(params("MaxBurstLength", "65536", "MaxOutstandingR2T", "2"));
        h.arrive(write(1, 1, 3 * 65536));
        List<R2t> first = h.r2ts();
        assertThat(first).hasSize(2);
        assertR2t(first.get(0), 1, 0, 0, 65536);
        assertR2t(first.get(1), 1, 1, 65536, 65536);
        assertThat(first.get(0).ttt()).isNotEqualTo(first.get(1).ttt()).isNotEqualTo(UNSOLICITED);
        assertThat(h.answer(first.get(0))).isNull();
        List<R2t> next = h.r2ts();
        assertThat(next).hasSize(1);
        assertR2t(next.get(0), 1, 2, 2 * 65536, 65536);
        assertThat(h.answer(first.get(1))).isNull();
        assertThat(h.r2ts()).isEmpty(); // all of it is asked for
    }

    @Test
    void theTaskStartsOnlyWhenEveryByteArrived() {
        // RFC 7143 11.7: the command gets its data from Data-Out PDUs answering the R2T
        SchedulerHarness h = new SchedulerHarness();
        IscsiTask t = h.arrive(write(1, 1, 16384));
        R2t r = h.r2ts().get(0);
        assertR2t(r, 1, 0, 0, 16384);
        assertThat(h.dataOut(1, r.ttt(), 0, 0, 4096, false)).isNull();
        assertThat(h.placed).isTrue();
        assertThat(h.dataOut(1, r.ttt(), 1, 4096, 4096, false)).isNull();
        h.assertStarted();
        assertThat(h.dataOut(1, r.ttt(), 2, 8192, 8192, true)).isNull();
        h.assertStarted(t);
        assertThat(t.dataOut()).isEqualTo(ByteBuffer.wrap(pattern(1, 0, 16384)));
        h.run(t);
        List<Pdu> out = h.sent();
        assertThat(out).singleElement().isInstanceOf(ScsiResponsePdu.class);
        assertThat(((ScsiResponsePdu) out.get(0)).status()).isZero();
    }

    @Test
    void aDataOutViolationEndsTheTaskWithCheckConditionWhenItHasItsTurnAndLaterDataIsDropped() {
        // RFC 7143 13.19 DataPDUInOrder=Yes: out-of-order data fails the command (ABORTED COMMAND 4B/05)
        SchedulerHarness h = new SchedulerHarness(params("InitialR2T", "No"));
        IscsiTask w = h.arrive(write(2, 2, 4096, 0, false, TaskAttribute.SIMPLE)); // CmdSN 1 still missing
        assertThat(h.dataOut(2, UNSOLICITED, 0, 512, 512, false)).isNull(); // a gap at 0
        assertThat(h.placed).isFalse();
        h.assertStarted(); // not its turn yet
        assertThat(h.dataOut(2, UNSOLICITED, 0, 0, 4096, true)).isNull();
        assertThat(h.placed).isFalse(); // dropped, not rejected
        IscsiTask c1 = h.arrive(tur(1, 1));
        h.assertStarted(c1, w);
        assertSense(w, SenseKey.ABORTED_COMMAND, 0x4B, 0x05);
        h.run(w);
        ScsiResponsePdu rsp = (ScsiResponsePdu) h.sent().get(0);
        assertThat(rsp.status()).isEqualTo(0x02);
        assertThat(rsp.data().remaining()).isGreaterThan(2); // sense data
        assertThat(h.sent()).isEmpty();
    }

    @Test
    void dataOutForAnUnknownTaskIsDroppedSilently() {
        // RFC 7143 11.7: data for a task that does not exist (any more) is discarded
        SchedulerHarness h = new SchedulerHarness();
        assertThat(h.dataOut(99, 7, 0, 0, 512, true)).isNull();
        assertThat(h.placed).isFalse();
        IscsiTask t = h.arrive(write(1, 1, 512, 512, true, TaskAttribute.SIMPLE));
        h.run(t);
        h.sent();
        assertThat(h.dataOut(1, 7, 0, 0, 512, true)).isNull(); // it ended
        assertThat(h.placed).isFalse();
        assertThat(h.sent()).isEmpty();
    }

    @Test
    void dataOutAfterAllDataArrivedIsRefused() {
        // RFC 7143 11.17.1: a Data-Out that is no part of the command's transfer gets a Reject
        SchedulerHarness h = new SchedulerHarness();
        IscsiTask t = h.arrive(write(1, 1, 512, 512, true, TaskAttribute.SIMPLE));
        h.assertStarted(t);
        assertThat(h.dataOut(1, UNSOLICITED, 0, 0, 512, true)).isNotNull();
        assertThat(h.placed).isFalse();
        assertThat(t.failure).isNull(); // the command itself is fine
    }

    @Test
    void aDataDigestErrorFailsTheTaskWithProtocolServiceCrcError() {
        // RFC 7143 7.8 at ErrorRecoveryLevel 0: ABORTED COMMAND, PROTOCOL SERVICE CRC ERROR (0B/47/05)
        SchedulerHarness h = new SchedulerHarness();
        IscsiTask t = h.arrive(write(1, 1, 4096));
        R2t r = h.r2ts().get(0);
        DataOut d = new DataOut(true, 0, 1, r.ttt(), 0, 0, 0, ByteBuffer.wrap(new byte[4096]));
        assertThat(h.scheduler.placeDataOut(new Bhs(PduCodec.header(d)), 4096)).isNotNull();
        h.scheduler.dataOutCorrupt();
        h.runPosted();
        h.assertStarted(t);
        assertSense(t, SenseKey.ABORTED_COMMAND, 0x47, 0x05);
        assertThat(t.collector.awaitingSolicited()).isFalse();
    }

    @Test
    void dataOutIsOverdueOnlyWhileSolicitedDataIsOutstandingAndLate() {
        // RFC 7143 11.8: the target waits for the data it asked for, not for data it may receive unasked
        SchedulerHarness h = new SchedulerHarness(params("InitialR2T", "No", "FirstBurstLength", "4096"));
        h.arrive(write(1, 1, 8192, 0, false, TaskAttribute.SIMPLE));
        long now = System.nanoTime();
        assertThat(h.scheduler.dataOutOverdue(now + 3600 * SECOND, SECOND)).isFalse(); // unsolicited burst open
        h.dataOut(1, UNSOLICITED, 0, 0, 4096, true);
        R2t r = h.r2ts().get(0);
        now = System.nanoTime();
        assertThat(h.scheduler.dataOutOverdue(now, 10 * SECOND)).isFalse(); // asked, not late yet
        assertThat(h.scheduler.dataOutOverdue(now + 20 * SECOND, 10 * SECOND)).isTrue();
        h.answer(r);
        assertThat(h.scheduler.dataOutOverdue(System.nanoTime() + 3600 * SECOND, SECOND)).isFalse();
    }
}
