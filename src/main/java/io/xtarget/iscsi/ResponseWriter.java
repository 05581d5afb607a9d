package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * Turns a finished command into PDUs on the connection's {@link Outbox}: Data-In cut to the
 * initiator's MaxRecvDataSegmentLength and MaxBurstLength, the status phase-collapsed into the
 * last Data-In when it is GOOD, else a SCSI Response with sense, and the residual (RFC 7143
 * 11.4, 11.7). The arithmetic is {@link ResponsePlan}'s; this class only builds and queues.
 */
final class ResponseWriter {
    private static final int RESERVED_TAG = 0xFFFFFFFF;

    private final Outbox outbox;
    private final Supplier<SessionParams> params;

    ResponseWriter(Outbox outbox, Supplier<SessionParams> params) {
        this.outbox = outbox;
        this.params = params;
    }

    /**
     * Queues the response of a command that ran (or failed without running).
     *
     * @param onSent runs once the last PDU is on the wire: the data buffers may then be reused
     */
    void complete(IscsiTask t, ScsiResult r, byte[] sense, Runnable onSent) {
        ByteBuffer data = r.data();
        int produced = data == null ? 0 : data.remaining();
        long requested = t.scsi == null ? -1 : t.scsi.requestedDataOut();
        ResponsePlan.Residual residual = ResponsePlan.of(t.pdu.read(), t.pdu.write(), t.expected, produced,
                t.failure != null ? -1 : requested);
        int send = ResponsePlan.dataInLength(t.pdu.read(), t.expected, produced);
        boolean collapse = r.status() == ScsiStatus.GOOD && send > 0;
        if (send > 0) {
            SessionParams p = params.get();
            int base = data.position();
            int status = r.status().code();
            ResponsePlan.segments(send, p.maxSendDataSegmentLength(), p.maxBurstLength(), (off, len, fin, last) -> {
                boolean withStatus = last && collapse;
                DataIn pdu = new DataIn(fin, false, withStatus ? residual.flags() : 0, withStatus, status, 0, t.itt,
                        RESERVED_TAG, 0, 0, 0, t.dataSn++, off, withStatus ? residual.count() : 0,
                        data.slice(base + off, len));
                outbox.send(pdu, withStatus ? Outbox.StatSn.ADVANCE : Outbox.StatSn.NONE, withStatus ? onSent : null);
            });
        }
        if (!collapse) {
            status(t, r.status(), sense, residual, onSent);
        }
    }

    /** Queues TASK ABORTED status for a command aborted by another I_T nexus with TAS=1 (SAM-5 5.6). */
    void taskAborted(IscsiTask t, Runnable onSent) {
        status(t, ScsiStatus.TASK_ABORTED, null, ResponsePlan.Residual.NONE, onSent);
    }

    private void status(IscsiTask t, ScsiStatus status, byte[] sense, ResponsePlan.Residual residual,
            Runnable onSent) {
        ByteBuffer senseData = Pdu.EMPTY;
        if (sense != null) {
            senseData = ByteBuffer.allocate(2 + sense.length).putShort((short) sense.length).put(sense).flip();
        }
        outbox.send(new ScsiResponsePdu(residual.flags(), 0, status.code(), t.itt, 0, 0, 0, t.dataSn, 0,
                residual.count(), senseData), Outbox.StatSn.ADVANCE, onSent);
    }

    /** Sense bytes of a result, in the LU's format, or null. */
    static byte[] senseOf(IscsiTask t, ScsiResult r) {
        Sense s = r.sense();
        if (s == null) {
            return null;
        }
        return t.scsi != null ? t.scsi.encodeSense(s) : s.encode(false);
    }
}
