package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.params;
import static io.xtarget.iscsi.SchedulerHarness.pattern;
import static io.xtarget.iscsi.SchedulerHarness.read;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Queuing a finished command's Data-In and status: {@link ResponseWriter}. */
class ResponseWriterTest {
    private static final Sense MEDIUM_ERROR = new Sense(SenseKey.MEDIUM_ERROR, 0x11, 0x00);

    private final SchedulerHarness h = new SchedulerHarness();

    /** A read expecting {@code expected} bytes, as the writer sees it after running. */
    private static IscsiTask readTask(int itt, int expected) {
        return new IscsiTask(read(itt, itt, expected), null);
    }

    private static ScsiResult good(int itt, int produced) {
        return ScsiResult.good(ByteBuffer.wrap(pattern(itt, 0, produced)));
    }

    private static List<DataIn> dataIns(List<Pdu> out) {
        return out.stream().filter(p -> p instanceof DataIn).map(DataIn.class::cast).toList();
    }

    @Test
    void dataInFollowsTheCurrentMaxSendDataSegmentLength() {
        // RFC 7143 13.12: a PDU's data is at most the MaxRecvDataSegmentLength the initiator declared, now
        h.responses.complete(readTask(1, 20000), good(1, 20000), null, null);
        assertThat(dataIns(h.sent())).extracting(d -> d.data().remaining()).containsExactly(8192, 8192, 3616);
        h.session.params = h.session.params.with("MaxRecvDataSegmentLength", "4096");
        h.responses.complete(readTask(2, 20000), good(2, 20000), null, null);
        List<DataIn> out = dataIns(h.sent());
        assertThat(out).extracting(d -> d.data().remaining()).containsExactly(4096, 4096, 4096, 4096, 3616);
        assertThat(out).extracting(DataIn::bufferOffset).containsExactly(0L, 4096L, 8192L, 12288L, 16384L);
        ByteBuffer all = ByteBuffer.allocate(20000);
        out.forEach(d -> all.put(d.data()));
        assertThat(all.flip()).isEqualTo(ByteBuffer.wrap(pattern(2, 0, 20000)));
    }

    @Test
    void goodStatusIsPhaseCollapsedIntoTheLastDataIn() {
        // RFC 7143 11.7.4: with GOOD status the last Data-In carries the status and the residual
        h.responses.complete(readTask(1, 24576), good(1, 20000), null, null);
        List<Pdu> out = h.sent();
        assertThat(out).hasSize(3).allMatch(p -> p instanceof DataIn);
        List<DataIn> d = dataIns(out);
        assertThat(d).extracting(DataIn::statusPresent).containsExactly(false, false, true);
        DataIn last = d.get(2);
        assertThat(last.fin()).isTrue();
        assertThat(last.status()).isZero();
        assertThat(last.residualFlags()).isEqualTo(ScsiResponsePdu.UNDERFLOW);
        assertThat(last.residual()).isEqualTo(24576 - 20000);
        assertThat(last.statSn()).isEqualTo(1); // the status consumes StatSN 1
    }

    @Test
    void otherStatusGoesInASeparateResponseWithSenseAndResidual() {
        // RFC 7143 11.4.7: sense data in the SCSI Response, with SenseLength first; 11.4.5: residual
        IscsiTask t = readTask(1, 4096);
        ScsiResult r = new ScsiResult(ScsiStatus.CHECK_CONDITION, MEDIUM_ERROR, null);
        h.responses.complete(t, r, ResponseWriter.senseOf(t, r), null);
        List<Pdu> out = h.sent();
        assertThat(out).singleElement().isInstanceOf(ScsiResponsePdu.class);
        ScsiResponsePdu rsp = (ScsiResponsePdu) out.get(0);
        assertThat(rsp.status()).isEqualTo(0x02);
        assertThat(rsp.flags()).isEqualTo(ScsiResponsePdu.UNDERFLOW);
        assertThat(rsp.residual()).isEqualTo(4096);
        ByteBuffer sense = rsp.data();
        int length = sense.getShort(0);
        assertThat(sense.remaining()).isEqualTo(2 + length);
        assertThat(sense.get(2 + 2) & 0x0F).isEqualTo(SenseKey.MEDIUM_ERROR);
        assertThat(sense.get(2 + 12)).isEqualTo((byte) 0x11);
    }

    @Test
    void taskAbortedIsASeparateStatusWithoutSense() {
        // SAM-5 5.6: TASK ABORTED status (40h) for a task aborted by another I_T nexus with TAS=1
        AtomicInteger sent = new AtomicInteger();
        h.responses.taskAborted(readTask(7, 4096), sent::incrementAndGet);
        ScsiResponsePdu rsp = (ScsiResponsePdu) h.sent().get(0);
        assertThat(rsp.itt()).isEqualTo(7);
        assertThat(rsp.status()).isEqualTo(0x40);
        assertThat(rsp.data().remaining()).isZero();
        assertThat(rsp.residual()).isZero();
        assertThat(sent).hasValue(1);
    }

    @Test
    void expDataSnCountsDataInPdus() {
        // RFC 7143 11.4.8: ExpDataSN is the number of R2T and Data-In PDUs the target sent for the command
        IscsiTask t = readTask(1, 20000);
        ScsiResult r = new ScsiResult(ScsiStatus.CHECK_CONDITION, MEDIUM_ERROR, ByteBuffer.wrap(new byte[20000]));
        h.responses.complete(t, r, ResponseWriter.senseOf(t, r), null);
        List<Pdu> out = h.sent();
        assertThat(dataIns(out)).extracting(DataIn::dataSn).containsExactly(0, 1, 2);
        assertThat(dataIns(out)).noneMatch(DataIn::statusPresent);
        assertThat(((ScsiResponsePdu) out.get(3)).expDataSn()).isEqualTo(3);
    }

    @Test
    void expDataSnCountsR2ts() {
        // RFC 7143 11.4.8: for a write, ExpDataSN counts the R2Ts
        SchedulerHarness w = new SchedulerHarness(params("MaxBurstLength", "65536"));
        IscsiTask t = w.arrive(write(1, 1, 2 * 65536));
        w.answer(w.r2ts().get(0));
        R2t second = w.r2ts().get(0);
        assertThat(second.r2tSn()).isEqualTo(1);
        w.answer(second);
        w.run(t);
        ScsiResponsePdu rsp = (ScsiResponsePdu) w.sent().get(0);
        assertThat(rsp.status()).isZero();
        assertThat(rsp.expDataSn()).isEqualTo(2);
    }

    @Test
    void onSentRunsOnceAfterTheLastPduIsWritten() throws Exception {
        // the command's buffers may be reused only once every byte of its response left
        AtomicInteger collapsed = new AtomicInteger();
        AtomicInteger separate = new AtomicInteger();
        h.channel.perCall = 1000;
        h.responses.complete(readTask(1, 20000), good(1, 20000), null, collapsed::incrementAndGet);
        IscsiTask t = readTask(2, 4096);
        ScsiResult r = new ScsiResult(ScsiStatus.CHECK_CONDITION, MEDIUM_ERROR, ByteBuffer.wrap(new byte[100]));
        h.responses.complete(t, r, ResponseWriter.senseOf(t, r), separate::incrementAndGet);
        long total = 3 * 48 + 20000 + 48 + 100 + 48 + 20; // 100 is padded to 100; sense: 2 + 18 bytes
        while (!h.outbox.flush()) {
            long written = h.channel.out.size();
            assertThat(collapsed).hasValue(written >= 3 * 48 + 20000 ? 1 : 0);
            assertThat(separate).hasValue(0);
            assertThat(written).isLessThan(total);
        }
        assertThat(h.channel.out.size()).isEqualTo(total);
        assertThat(collapsed).hasValue(1);
        assertThat(separate).hasValue(1);
        h.outbox.flush();
        assertThat(collapsed).hasValue(1);
        assertThat(separate).hasValue(1);
    }
}
