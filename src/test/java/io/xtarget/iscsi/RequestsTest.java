package io.xtarget.iscsi;

import static io.xtarget.iscsi.SchedulerHarness.MIB;
import static io.xtarget.iscsi.SchedulerHarness.immediate;
import static io.xtarget.iscsi.SchedulerHarness.params;
import static io.xtarget.iscsi.SchedulerHarness.pattern;
import static io.xtarget.iscsi.SchedulerHarness.tur;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.TaskAttribute;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.PduFramer;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.SnackRequest;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each full feature phase PDU means, without a socket: {@link Requests}. */
class RequestsTest {
    private SchedulerHarness h = new SchedulerHarness();
    private Requests requests = requests();

    private Requests requests() {
        return new Requests(null, null, h.session, h.outbox, h.scheduler);
    }

    private void use(SchedulerHarness harness) {
        h = harness;
        requests = requests();
    }

    /** Frames the PDU as the connection reads it (data placed by {@link Requests#bufferFor}), then dispatches it. */
    private void receive(Pdu p) throws PduException {
        ByteBuffer data = p.data().duplicate();
        int pad = (4 - (data.remaining() & 3)) & 3;
        ByteBuffer wire = ByteBuffer.allocate(48 + data.remaining() + pad);
        wire.put(PduCodec.header(p)).put(data).position(wire.capacity()).flip();
        PduFramer framer = new PduFramer();
        framer.setMaxRecvDataSegmentLength(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT);
        Pdu framed = framer.feed(wire, requests);
        assertThat(framed).isNotNull();
        requests.dispatch(framed);
        h.runPosted();
    }

    /** The one Reject sent since the last look, checked to carry the rejected PDU's header. */
    private Reject rejected(Pdu of) {
        List<Pdu> out = h.sent();
        assertThat(out).singleElement().isInstanceOf(Reject.class);
        Reject r = (Reject) out.get(0);
        assertThat(r.data()).isEqualTo(ByteBuffer.wrap(PduCodec.header(of)));
        return r;
    }

    private void assertFatal(Pdu p) {
        assertThatThrownBy(() -> receive(p)).isInstanceOfSatisfying(PduException.class,
                e -> assertThat(e.fatal()).isTrue());
        assertThat(rejected(p).reason()).isEqualTo(Reject.PROTOCOL_ERROR);
        h.assertStarted();
        assertThat(h.scheduler.liveTasks()).isZero();
    }

    @Test
    void aScsiCommandInADiscoverySessionIsFatal() {
        // RFC 7143 4.3: a discovery session carries only Text, NOP and Logout
        use(new SchedulerHarness(params(), 64 * MIB, 256 * MIB, true));
        assertFatal(tur(1, 1));
    }

    @Test
    void immediateDataWithImmediateDataNoIsFatal() {
        // RFC 7143 13.11: with ImmediateData=No the initiator must not send immediate data
        use(new SchedulerHarness(params("ImmediateData", "No")));
        assertFatal(write(1, 1, 4096, 512, true, TaskAttribute.SIMPLE));
    }

    @Test
    void immediateDataBeyondFirstBurstLengthIsFatal() {
        // RFC 7143 13.14: immediate data is part of the first burst
        use(new SchedulerHarness(params("FirstBurstLength", "4096")));
        assertFatal(write(1, 1, 16384, 8192, true, TaskAttribute.SIMPLE));
    }

    @Test
    void immediateDataBeyondTheExpectedLengthIsFatal() {
        // RFC 7143 11.3.4: no more data than the Expected Data Transfer Length
        assertFatal(write(1, 1, 512, 1024, true, TaskAttribute.SIMPLE));
    }

    @Test
    void immediateDataLandsInTheCommandsBuffer() throws Exception {
        // RFC 7143 11.3: immediate data is the start of the command's Data-Out
        receive(write(1, 1, 4096, 4096, true, TaskAttribute.SIMPLE));
        IscsiTask t = h.runner.started.get(0);
        assertThat(t.dataOut()).isEqualTo(ByteBuffer.wrap(pattern(1, 0, 4096)));
        assertThat(h.sent()).isEmpty();
    }

    @Test
    void aReusedTaskTagOfALiveTaskIsRejectedAsTaskInProgress() throws Exception {
        // RFC 7143 11.17.1: reason 07h, the ITT names a task still in progress
        receive(tur(1, 1));
        Pdu again = tur(1, 2);
        receive(again);
        assertThat(rejected(again).reason()).isEqualTo(Reject.TASK_IN_PROGRESS);
        assertThat(h.runner.started).hasSize(1);
    }

    @Test
    void theSeventeenthImmediateCommandIsRejected() throws Exception {
        // RFC 7143 11.17.1: reason 06h, the target cannot take another immediate command now
        for (int i = 1; i <= Session.MAX_IMMEDIATE; i++) {
            receive(immediate(tur(i, 1)));
        }
        assertThat(h.runner.started).hasSize(Session.MAX_IMMEDIATE);
        assertThat(h.sent()).isEmpty();
        Pdu extra = immediate(tur(100, 1));
        receive(extra);
        assertThat(rejected(extra).reason()).isEqualTo(Reject.IMMEDIATE_COMMAND_REJECT);
        assertThat(h.runner.started).hasSize(Session.MAX_IMMEDIATE);
        h.run(h.runner.started.get(0));
        h.sent(); // its response is written: its slot is free
        receive(extra);
        assertThat(h.runner.started).hasSize(Session.MAX_IMMEDIATE + 1);
    }

    @Test
    void dataOutThatIsNoPartOfATransferIsRejected() throws Exception {
        // RFC 7143 11.17.1: reason 04h, protocol error
        receive(write(1, 1, 512, 512, true, TaskAttribute.SIMPLE));
        DataOut late = new DataOut(true, 0, 1, DataOutCollector.UNSOLICITED, 1, 0, 0, ByteBuffer.allocate(512));
        receive(late);
        assertThat(rejected(late).reason()).isEqualTo(Reject.PROTOCOL_ERROR);
    }

    @Test
    void aSnackIsRejected() throws Exception {
        // RFC 7143 11.17.1: reason 03h, SNACK at ErrorRecoveryLevel 0
        SnackRequest snack = new SnackRequest(0, 0, 1, -1, 1, 0, 0);
        receive(snack);
        assertThat(rejected(snack).reason()).isEqualTo(Reject.SNACK_REJECT);
    }

    @Test
    void aNopOutPingIsAnsweredWithItsDataCutToMaxSendDataSegmentLength() throws Exception {
        // RFC 7143 11.19.2: the NOP-In echoes the ping data, within MaxRecvDataSegmentLength
        byte[] ping = pattern(5, 0, 10000);
        receive(new NopOut(true, 0, 5, -1, 1, 1, ByteBuffer.wrap(ping)));
        List<Pdu> out = h.sent();
        assertThat(out).singleElement().isInstanceOf(NopIn.class);
        NopIn in = (NopIn) out.get(0);
        assertThat(in.itt()).isEqualTo(5);
        assertThat(in.ttt()).isEqualTo(-1);
        assertThat(in.data()).isEqualTo(ByteBuffer.wrap(ping, 0, 8192));
    }
}
