package io.xtarget.initiator;

import static io.xtarget.initiator.RequestTable.RESERVED_TAG;

import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session's send path: PDUs that take a CmdSN go out in CmdSN order once the command window
 * admits them, immediate PDUs carry the next CmdSN without taking it (RFC 7143 3.2.2.1); SCSI
 * commands with their unsolicited data, Data-Out sequences answering R2Ts, NOP-Outs answering
 * target pings. A failed write ends the session.
 *
 * <p>Any thread may send; the reader thread never does (it hands R2Ts and pings to virtual threads).
 */
final class SessionSender {
    /** Logs as the session, whose part it is. */
    private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);
    /** SAM-5 task attribute SIMPLE in the SCSI Command PDU (RFC 7143 11.3.1). */
    private static final int ATTR_SIMPLE = 1;

    /** Builds a PDU once it is known which CmdSN it carries. */
    @FunctionalInterface
    interface PduForCmdSn {
        Pdu build(int cmdSn);
    }

    private final String description;
    private final PduChannel ch;
    private final NegotiatedParameters params;
    private final InitiatorOptions options;
    private final CmdSnWindow window;
    private final SequenceNumbers sequence;
    private final RequestTable requests;
    private final Consumer<IOException> shutdown;
    /** Keeps CmdSN order on the wire equal to CmdSN assignment order. Never held by the reader. */
    private final ReentrantLock sendOrder = new ReentrantLock();

    /**
     * @param shutdown ends the session with the given cause (a write failed)
     */
    SessionSender(String description, PduChannel ch, NegotiatedParameters params, InitiatorOptions options,
            CmdSnWindow window, SequenceNumbers sequence, RequestTable requests, Consumer<IOException> shutdown) {
        this.description = description;
        this.ch = ch;
        this.params = params;
        this.options = options;
        this.window = window;
        this.sequence = sequence;
        this.requests = requests;
        this.shutdown = shutdown;
    }

    /** The ExpStatSN a PDU built now carries. */
    int expStatSn() {
        return sequence.expStatSn();
    }

    /** The CmdSN the next non-immediate PDU takes (an immediate one carries it as it is). */
    int currentCmdSn() {
        return window.current();
    }

    /**
     * Sends a SCSI Command PDU with its immediate data and unsolicited Data-Out, waiting while the
     * command window is closed (up to the command timeout).
     *
     * @param lunField the LUN as the 8-byte field of the PDU ({@link LunField})
     * @param cdb 1..16 bytes, sent padded to 16
     * @param dataInLength expected Data-In length, 0 for none
     * @throws IOException when the window stays closed, the session is closed or a write fails
     */
    void sendCommand(PendingCommand cmd, long lunField, byte[] cdb, int dataInLength) throws IOException {
        int outLen = cmd.dataOutLength();
        // RFC 7143 4.2.5.2 (unsolicited data): immediate data up to FirstBurstLength in the command
        // PDU when ImmediateData=Yes, and with InitialR2T=No further Data-Out PDUs up to
        // FirstBurstLength in total; the rest is sent only when the target asks with R2T.
        int segment = params.targetMaxRecvDataSegmentLength();
        int immediate = params.immediateData() ? Math.min(outLen, Math.min(params.firstBurstLength(), segment)) : 0;
        int unsolicited = params.initialR2T() ? immediate : Math.min(outLen, params.firstBurstLength());
        boolean moreUnsolicited = unsolicited > immediate;
        ByteBuffer immData = immediate > 0 ? cmd.dataOut.duplicate().position(0).limit(immediate) : null;
        byte[] cdb16 = Arrays.copyOf(cdb, 16);
        long edtl = outLen > 0 ? outLen : dataInLength;
        cmd.dataLock.lock();
        try {
            sendNonImmediate(cmdSn -> {
                cmd.cmdSn = cmdSn;
                cmd.sent = true;
                return new ScsiCommandPdu(false, !moreUnsolicited, dataInLength > 0, outLen > 0, ATTR_SIMPLE,
                        lunField, cmd.itt, edtl, cmdSn, sequence.expStatSn(), cdb16, immData);
            });
            if (moreUnsolicited) {
                sendDataOut(cmd, lunField, RESERVED_TAG, immediate, unsolicited - immediate);
            }
        } finally {
            cmd.dataLock.unlock();
        }
    }

    /** One Data-Out sequence covering [offset, offset+length), PDUs no larger than the target accepts. */
    private void sendDataOut(PendingCommand cmd, long lunField, int ttt, int offset, int length) throws IOException {
        int segment = params.targetMaxRecvDataSegmentLength();
        int dataSn = 0;
        int end = offset + length;
        for (int pos = offset; pos < end; pos += segment) {
            int n = Math.min(segment, end - pos);
            ByteBuffer slice = cmd.dataOut.duplicate().position(pos).limit(pos + n);
            ch.write(new DataOut(pos + n == end, lunField, cmd.itt, ttt, sequence.expStatSn(), dataSn++, pos, slice));
        }
    }

    /**
     * Answers the command's queued R2Ts in order, each with one Data-Out sequence, until none is
     * left; a command that ended meanwhile sends nothing. Runs on a thread of its own.
     */
    void answerR2ts(PendingCommand c) {
        long lunField = LunField.encode(c.lun);
        for (R2t r = c.poll(); r != null; r = c.poll()) {
            c.dataLock.lock();
            try {
                if (!c.future.isDone()) {
                    sendDataOut(c, lunField, r.ttt(), (int) r.bufferOffset(), (int) r.desiredLength());
                }
            } catch (IOException e) {
                // write() already closed the session and failed every pending request
                log.debug("{}: Data-Out failed: {}", description, e.toString());
            } finally {
                c.dataLock.unlock();
            }
        }
    }

    /** RFC 7143 11.18: answers a target ping with a NOP-Out echoing its TTT, LUN and data. */
    void answerPing(NopIn n) {
        ByteBuffer data = n.data();
        try {
            sendImmediate(cmdSn -> new NopOut(true, n.lun(), RESERVED_TAG, n.ttt(), cmdSn, sequence.expStatSn(),
                    data), null);
        } catch (IOException e) {
            log.debug("{}: NOP-Out reply failed: {}", description, e.toString());
        }
    }

    /**
     * Sends a PDU that takes a CmdSN, waiting while the window is closed.
     *
     * @throws IscsiTimeoutException when the window stays closed for the command timeout
     * @throws SessionClosedException when the session is or becomes closed
     */
    void sendNonImmediate(PduForCmdSn build) throws IOException {
        long deadline = System.nanoTime() + options.commandTimeout().toNanos();
        while (true) {
            window.awaitOpen(deadline);
            sendOrder.lock();
            try {
                OptionalInt sn = window.tryAcquire();
                if (sn.isPresent()) {
                    write(build.build(sn.getAsInt()));
                    return;
                }
            } finally {
                sendOrder.unlock();
            }
        }
    }

    /** {@link #sendNonImmediate} for request {@code f}, removed from the table when it cannot go out. */
    void sendNonImmediateRequest(PduForCmdSn build, CompletableFuture<Pdu> f) throws IOException {
        try {
            sendNonImmediate(build);
        } catch (IOException e) {
            requests.remove(f);
            throw e;
        }
    }

    /**
     * Sends an immediate PDU: it carries the next CmdSN without taking it (RFC 7143 3.2.2.1).
     *
     * @param f the request it belongs to, removed from the table when it cannot go out; or null
     */
    void sendImmediate(PduForCmdSn build, CompletableFuture<Pdu> f) throws IOException {
        sendOrder.lock();
        try {
            requests.checkOpen();
            write(build.build(window.current()));
        } catch (IOException e) {
            if (f != null) {
                requests.remove(f);
            }
            throw e;
        } finally {
            sendOrder.unlock();
        }
    }

    private void write(Pdu p) throws IOException {
        try {
            ch.write(p);
        } catch (IOException e) {
            IOException closed = new SessionClosedException(description + ": write failed", e);
            shutdown.accept(closed);
            throw closed;
        }
    }
}
