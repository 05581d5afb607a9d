package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.LogoutRequest;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Opcode;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.SnackRequest;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each PDU of full feature phase means (RFC 7143 3.2, 11): SCSI commands and their Data-Out
 * go to the session's {@link CommandScheduler}; NOP-Out, Text, Logout and task management are
 * answered in CmdSN order (immediate ones at once); everything else gets a Reject, or a clean
 * disconnect when the connection cannot go on. Runs on the connection's thread only.
 */
final class Requests implements PduChannel.DataPlacement {
    private static final Logger log = LoggerFactory.getLogger(Requests.class);
    /** Where data nobody accepted is read to, and forgotten. */
    private static final ByteBuffer DISCARD = ByteBuffer.allocateDirect(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT);

    private final IscsiServer server;
    private final Connection connection;
    private final Session session;
    private final Outbox outbox;
    private final CommandScheduler scheduler;
    private final TextExchange text = new TextExchange();
    /** The buffer a SCSI Command's immediate data was read into, until the command adopts it. */
    private ByteBuffer commandData;

    Requests(IscsiServer server, Connection connection, Session session, Outbox outbox, CommandScheduler scheduler) {
        this.server = server;
        this.connection = connection;
        this.session = session;
        this.outbox = outbox;
        this.scheduler = scheduler;
    }

    /** Where a PDU's data segment goes: Data-Out into its command's buffer, immediate data into a new one. */
    @Override
    public ByteBuffer bufferFor(Bhs h, int length) {
        if (h.opcode() == Opcode.DATA_OUT) {
            ByteBuffer b = scheduler.placeDataOut(h, length);
            return b != null ? b : DISCARD.slice(0, length);
        }
        if (h.opcode() == Opcode.SCSI_COMMAND && (h.flags() & 0x20) != 0) {
            long expected = h.u32(20);
            if (expected >= length && expected <= ScsiLimits.MAX_TRANSFER_BYTES) {
                commandData = BufferPool.SHARED.take((int) expected);
                return commandData.slice(0, length);
            }
        }
        return null;
    }

    /** A PDU could not be accepted but framing holds: answer it with a Reject (RFC 7143 11.17). */
    void refused(PduException e) {
        releaseCommandData();
        if (e.rejectReason() == Reject.DATA_DIGEST_ERROR) {
            scheduler.dataOutCorrupt();
        }
        reject(e.rejectReason(), e.header());
    }

    /** Handles one whole PDU; throws a fatal PduException when the connection must end. */
    void dispatch(Pdu pdu) throws PduException {
        try {
            switch (pdu) {
                case ScsiCommandPdu c -> onCommand(c);
                case DataOut d -> {
                    String refused = scheduler.dataOutArrived(d);
                    if (refused != null) {
                        log.debug("{}: rejecting Data-Out: {}", session, refused);
                        reject(Reject.PROTOCOL_ERROR, PduCodec.header(d));
                    }
                }
                case NopOut n -> ordered(n.immediate(), n.cmdSn(), () -> onNopOut(n));
                case TaskMgmtRequest t -> ordered(t.immediate(), t.cmdSn(),
                        () -> server.taskManagement().perform(connection, t, r -> respondTmf(t, r)));
                case TextRequest t -> ordered(t.immediate(), t.cmdSn(), () -> text.answer(t, session, server, outbox,
                        () -> reject(Reject.INVALID_PDU_FIELD, PduCodec.header(t)),
                        () -> reject(Reject.PROTOCOL_ERROR, PduCodec.header(t))));
                case LogoutRequest l -> ordered(l.immediate(), l.cmdSn(), () -> onLogout(l));
                case SnackRequest sn -> reject(Reject.SNACK_REJECT, PduCodec.header(sn)); // ERL 0
                default -> {
                    reject(Reject.PROTOCOL_ERROR, PduCodec.header(pdu));
                    throw PduException.fatal("unexpected " + pdu.getClass().getSimpleName()
                            + " in full feature phase of " + session);
                }
            }
        } finally {
            releaseCommandData();
        }
    }

    /** Runs a non-SCSI request in CmdSN order (immediate ones at once), RFC 7143 3.2.2.1. */
    private void ordered(boolean immediate, int cmdSn, Runnable action) {
        if (immediate) {
            action.run();
            return;
        }
        CmdSnWindow w = session.window;
        if (!w.accept(cmdSn, () -> {
            try {
                action.run();
            } finally {
                w.completed();
            }
        })) {
            log.debug("{}: dropped request with CmdSN {} outside the window", session, cmdSn);
        }
    }

    private void releaseCommandData() {
        ByteBuffer b = commandData;
        commandData = null;
        BufferPool.SHARED.give(b);
    }

    private void onCommand(ScsiCommandPdu c) throws PduException {
        if (session.discovery) {
            reject(Reject.PROTOCOL_ERROR, PduCodec.header(c));
            throw PduException.fatal("SCSI command in a discovery session");
        }
        SessionParams p = session.params;
        int immediate = c.data().remaining();
        long expected = c.expectedDataTransferLength();
        if (immediate > 0 && (!c.write() || !p.immediateData() || immediate > p.firstBurstLength()
                || immediate > expected)) {
            reject(Reject.PROTOCOL_ERROR, PduCodec.header(c));
            throw PduException.fatal("unexpected immediate data");
        }
        if (scheduler.inUse(c.itt())) {
            reject(Reject.TASK_IN_PROGRESS, PduCodec.header(c));
            return;
        }
        if (c.immediate() && !session.window.tryImmediate()) {
            // RFC 7143 11.17.1: too many immediate commands running already
            reject(Reject.IMMEDIATE_COMMAND_REJECT, PduCodec.header(c));
            return;
        }
        boolean unsolicited = !p.initialR2T() && !c.fin();
        DataOutCollector collector = null;
        ScsiException failure = null;
        if (c.write() && expected > 0) {
            if (expected > ScsiLimits.MAX_TRANSFER_BYTES) {
                // Too large to buffer: fail the command without asking for data (SBC-3: a transfer
                // above the advertised maximum is an invalid CDB field).
                failure = new ScsiException(Sense.invalidFieldInCdb());
            } else {
                collector = new DataOutCollector(expected, immediate, unsolicited, p.firstBurstLength());
            }
        }
        IscsiTask t = new IscsiTask(c, collector);
        t.failure = failure;
        if (collector != null && immediate > 0) {
            t.dataBuffer = commandData;
            commandData = null;
        }
        if (!scheduler.arrive(t, immediate, unsolicited)) {
            log.debug("{}: dropped command ITT 0x{} with CmdSN {} outside the window", session,
                    Integer.toHexString(c.itt()), c.cmdSn());
        }
    }

    private void onNopOut(NopOut n) {
        if (n.itt() == Connection.RESERVED_TAG) {
            connection.pingAnswered(n.ttt());
            return;
        }
        ByteBuffer echo = n.data().duplicate();
        int max = session.params.maxSendDataSegmentLength();
        if (echo.remaining() > max) {
            // a copy of what is echoed: a view would keep the whole received segment alive while queued
            echo.limit(echo.position() + max);
            echo = ByteBuffer.allocate(max).put(echo).flip();
        }
        outbox.send(new NopIn(n.lun(), n.itt(), Connection.RESERVED_TAG, 0, 0, 0, echo), Outbox.StatSn.ADVANCE, null);
    }

    private void onLogout(LogoutRequest l) {
        int response = l.reason() == 2 ? 2 : 0; // ERL 0: connection recovery is not supported
        LogoutResponse r = new LogoutResponse(response, l.itt(), 0, 0, 0, 2, 0);
        if (response == 0) {
            connection.loggingOut(() -> outbox.send(r, Outbox.StatSn.ADVANCE, () -> connection.terminate("logout")));
        } else {
            outbox.send(r, Outbox.StatSn.ADVANCE, null);
        }
    }

    private void respondTmf(TaskMgmtRequest t, int response) {
        Runnable after = t.function() == TaskMgmtRequest.TARGET_COLD_RESET && response == TaskMgmtResponse.COMPLETE
                ? () -> server.dropSessionsOf(session.target) : null;
        outbox.send(new TaskMgmtResponse(response, t.itt(), 0, 0, 0), Outbox.StatSn.ADVANCE, after);
        connection.flushOrDrop();
    }

    void reject(int reason, byte[] header) {
        ByteBuffer h = header == null ? Pdu.EMPTY : ByteBuffer.wrap(header);
        outbox.send(new io.xtarget.iscsi.pdu.Reject(reason, 0, 0, 0, 0, h), Outbox.StatSn.ADVANCE, null);
    }
}
