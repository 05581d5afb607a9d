package io.xtarget.initiator;

import static io.xtarget.initiator.RequestTable.RESERVED_TAG;

import io.xtarget.iscsi.pdu.AsyncMessage;
import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.Opcode;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.iscsi.pdu.TextResponse;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's receive path: one platform thread reads every PDU, Data-In straight into its
 * command's buffer, moves the sequence numbers ({@link SequenceNumbers}) and dispatches by
 * Initiator Task Tag: Data-In and SCSI Responses end commands, R2Ts and target pings are answered
 * by the {@link SessionSender} on virtual threads (so the reader never blocks on a socket write),
 * other answers complete their requests, a Reject fails the task it names, an asynchronous logout
 * request logs out. A closed connection, a bad PDU or a protocol violation ends the session.
 */
final class SessionReader {
    /** Logs as the session, whose part it is. */
    private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);

    private final String description;
    private final PduChannel ch;
    private final SequenceNumbers sequence;
    private final RequestTable requests;
    private final SessionSender sender;
    private final Consumer<IOException> shutdown;
    private final BooleanSupplier loggingOut;
    private final Runnable logoutRequested;
    private final Thread thread;

    /**
     * @param shutdown ends the session with the given cause
     * @param loggingOut whether this initiator has started a logout (a close is then expected)
     * @param logoutRequested logs out, run on a virtual thread when the target asks for it (AsyncEvent 1)
     */
    SessionReader(String description, PduChannel ch, SequenceNumbers sequence, RequestTable requests,
            SessionSender sender, Consumer<IOException> shutdown, BooleanSupplier loggingOut,
            Runnable logoutRequested) {
        this.description = description;
        this.ch = ch;
        this.sequence = sequence;
        this.requests = requests;
        this.sender = sender;
        this.shutdown = shutdown;
        this.loggingOut = loggingOut;
        this.logoutRequested = logoutRequested;
        this.thread = Thread.ofPlatform().daemon().name("iscsi-reader " + description).unstarted(this::readLoop);
    }

    void start() {
        thread.start();
    }

    /** Waits up to 5 s for the reader thread to end, unless called on it. */
    void awaitEnd() {
        if (Thread.currentThread() != thread && thread.isAlive()) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readLoop() {
        try {
            while (!requests.isClosed()) {
                Pdu p = ch.read(this::placeDataIn);
                dispatch(p);
            }
        } catch (EOFException | ClosedChannelException e) {
            shutdown.accept(new SessionClosedException(description + ": connection closed by "
                    + (loggingOut.getAsBoolean() || requests.isClosed() ? "logout" : "the target"), e));
        } catch (IOException e) {
            shutdown.accept(new SessionClosedException(description + ": connection failed: " + e.getMessage(), e));
        } catch (PduException e) {
            shutdown.accept(new SessionClosedException(description + ": bad PDU from target: " + e.getMessage(),
                    new IscsiProtocolException(e.getMessage(), e)));
        } catch (IscsiProtocolRuntime e) {
            shutdown.accept(new SessionClosedException(description + ": " + e.getMessage(),
                    new IscsiProtocolException(e.getMessage())));
        } catch (RuntimeException | Error e) {
            shutdown.accept(new SessionClosedException(description + ": reader failed", e));
            throw e;
        }
    }

    /** Unchecked carrier for protocol violations found while dispatching; caught in readLoop. */
    private static final class IscsiProtocolRuntime extends RuntimeException {
        IscsiProtocolRuntime(String message) {
            super(message, null, false, false);
        }
    }

    /** Data-In lands straight in the command's buffer when its BufferOffset fits. */
    private ByteBuffer placeDataIn(Bhs h, int length) {
        if (h.opcode() != Opcode.DATA_IN) {
            return null;
        }
        PendingCommand c = requests.command(h.i32(16));
        if (c != null && c.dataIn != null) {
            long offset = h.u32(40);
            if (offset + length <= c.dataIn.capacity()) {
                return c.dataIn.duplicate().limit((int) offset + length).position((int) offset);
            }
        }
        return null;
    }

    private void dispatch(Pdu p) {
        sequence.track(p);
        switch (p) {
            case DataIn d -> onDataIn(d);
            case ScsiResponsePdu r -> onResponse(r);
            case R2t r -> onR2t(r);
            case NopIn n -> onNopIn(n);
            case TaskMgmtResponse r -> requests.completeRequest(r.itt(), r);
            case TextResponse r -> requests.completeRequest(r.itt(), r);
            case LogoutResponse r -> requests.completeRequest(r.itt(), r);
            case Reject r -> onReject(r);
            case AsyncMessage a -> onAsync(a);
            default -> throw new IscsiProtocolRuntime("unexpected PDU opcode 0x" + Integer.toHexString(p.opcode())
                    + " in full feature phase");
        }
    }

    private void onDataIn(DataIn d) {
        PendingCommand c = requests.command(d.itt());
        if (c == null) {
            return; // timed out or aborted meanwhile
        }
        int len = d.data().remaining();
        if (c.dataIn == null || d.bufferOffset() + len > c.dataIn.capacity()) {
            throw new IscsiProtocolRuntime("Data-In for task 0x" + Integer.toHexString(d.itt())
                    + " beyond its expected length (offset " + d.bufferOffset() + ", " + len + " bytes)");
        }
        c.receivedEnd = Math.max(c.receivedEnd, (int) d.bufferOffset() + len);
        if (d.statusPresent()) {
            // Phase collapse (RFC 7143 11.7.4): the last Data-In carries the status, never with sense.
            requests.complete(c, new CommandResult(d.status(), new byte[0], resultData(c),
                    (d.residualFlags() & ScsiResponsePdu.OVERFLOW) != 0,
                    (d.residualFlags() & ScsiResponsePdu.UNDERFLOW) != 0, d.residual()));
        }
    }

    private void onResponse(ScsiResponsePdu r) {
        PendingCommand c = requests.command(r.itt());
        if (c == null) {
            return;
        }
        if (r.response() != 0) {
            requests.fail(c, new IOException(description + ": target failure (iSCSI response 0x"
                    + Integer.toHexString(r.response()) + ") for task 0x" + Integer.toHexString(c.itt)));
            return;
        }
        requests.complete(c, new CommandResult(r.status(), r.sense(), resultData(c),
                (r.flags() & ScsiResponsePdu.OVERFLOW) != 0, (r.flags() & ScsiResponsePdu.UNDERFLOW) != 0,
                r.residual()));
    }

    private static ByteBuffer resultData(PendingCommand c) {
        if (c.dataIn == null) {
            return ByteBuffer.allocate(0);
        }
        return c.dataIn.duplicate().position(0).limit(c.receivedEnd).slice();
    }

    private void onR2t(R2t r) {
        PendingCommand c = requests.command(r.itt());
        if (c == null) {
            return;
        }
        long end = r.bufferOffset() + r.desiredLength();
        if (r.desiredLength() == 0 || end > c.dataOutLength()) {
            throw new IscsiProtocolRuntime("R2T for task 0x" + Integer.toHexString(r.itt()) + " asks for offset "
                    + r.bufferOffset() + " length " + r.desiredLength() + " beyond its " + c.dataOutLength()
                    + " bytes");
        }
        if (c.offer(r)) {
            Thread.ofVirtual().name("iscsi-r2t").start(() -> sender.answerR2ts(c));
        }
    }

    private void onNopIn(NopIn n) {
        if (n.itt() != RESERVED_TAG) {
            requests.completeRequest(n.itt(), n);
        }
        if (n.ttt() != RESERVED_TAG) {
            Thread.ofVirtual().name("iscsi-nop-reply").start(() -> sender.answerPing(n));
        }
    }

    /** A Reject names the refused PDU by its header (RFC 7143 11.17); fail the task it belonged to. */
    private void onReject(Reject r) {
        ByteBuffer d = r.data();
        if (d.remaining() < Bhs.LENGTH) {
            throw new IscsiProtocolRuntime("Reject (reason 0x" + Integer.toHexString(r.reason())
                    + ") without the rejected header");
        }
        int itt = d.getInt(d.position() + 16);
        IscsiProtocolException e = new IscsiProtocolException(description + ": target rejected a PDU (opcode 0x"
                + Integer.toHexString(d.get(d.position()) & 0x3F) + ", reason 0x" + Integer.toHexString(r.reason())
                + ")");
        if (!requests.fail(itt, e)) {
            log.debug("{}", e.getMessage());
        }
    }

    private void onAsync(AsyncMessage a) {
        // RFC 7143 11.9.1: event 1 asks us to log out; 2 and 3 announce the target dropping
        // connections; the reader sees the close either way.
        log.info("{}: asynchronous message event {} (vcode {})", description, a.event(), a.vcode());
        if (a.event() == 1 && !loggingOut.getAsBoolean()) {
            Thread.ofVirtual().name("iscsi-async-logout").start(logoutRequested);
        }
    }
}
