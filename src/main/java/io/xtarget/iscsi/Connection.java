package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LogoutRequest;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Opcode;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduCodec;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.PduFramer;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.SnackRequest;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.scsi.AbortOutcome;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: reading, writing and life cycle. The login runs on a virtual thread with
 * blocking reads ({@link Login}); full feature phase runs on a platform thread of its own that
 * reads the non-blocking socket into a buffer, cuts it into PDUs ({@link PduFramer}) and hands
 * them to the session's {@link CommandScheduler}; quick commands run right there, the others on
 * the server's workers. Everything sent goes through the {@link Outbox}, which never blocks.
 * Any PDU the target cannot accept gets a Reject or a clean disconnect, never an exception out
 * of this class.
 */
final class Connection implements CommandScheduler.Runner {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    static final int RESERVED_TAG = 0xFFFFFFFF;
    /** Bytes read from the socket at once: several PDUs, or a large data segment's start. */
    private static final int READ_BUFFER = 512 * 1024;
    /** Where data nobody accepted is read to, and forgotten. */
    private static final ByteBuffer DISCARD = ByteBuffer.allocateDirect(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT);

    private final IscsiServer server;
    private final Portal portal;
    private final SocketChannel socket;
    private final String remote;
    private final PduFramer framer = new PduFramer();
    private final Outbox outbox;
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final ArrayDeque<IscsiTask> inline = new ArrayDeque<>();
    private final TextExchange text = new TextExchange();
    private volatile Session session;
    private volatile CommandScheduler scheduler;
    private ResponseWriter responses;
    private volatile Selector selector;
    private volatile Thread thread;
    private volatile boolean closed;
    /** Set once cleanup drained the mailbox: later posts run on the posting thread. */
    private volatile boolean mailboxClosed;
    private volatile long lastReceive = System.nanoTime();
    private volatile int pendingPingTtt = RESERVED_TAG;
    private volatile long pingSentAt;
    private int nextPing;
    private volatile boolean closingAfterLogout;
    /** Ready operations reported by the last select. */
    private int ready;
    /** The buffer a SCSI Command's immediate data was read into, until the command adopts it. */
    private ByteBuffer commandData;

    Connection(IscsiServer server, Portal portal, SocketChannel socket) {
        this.server = server;
        this.portal = portal;
        this.socket = socket;
        this.remote = remoteOf(socket);
        this.outbox = new Outbox(socket, this::wakeForWrite);
    }

    private static String remoteOf(SocketChannel s) {
        try {
            SocketAddress a = s.getRemoteAddress();
            return a == null ? "?" : a.toString().replaceFirst("^/", "");
        } catch (IOException e) {
            return "?";
        }
    }

    Session session() {
        return session;
    }

    CommandScheduler scheduler() {
        return scheduler;
    }

    Outbox outbox() {
        return outbox;
    }

    // ---------------------------------------------------------------- life cycle

    /** The login, on a virtual thread; a session then gets a platform thread of its own. */
    void login() {
        Session s = null;
        String endReason = "connection closed";
        try {
            PduChannel channel = new PduChannel(socket);
            Pdu first = channel.read();
            if (!(first instanceof LoginRequest lr)) {
                log.info("{}: first PDU is not a login request; closing", remote);
                return;
            }
            Login login = new Login(server, portal, channel, 1);
            s = login.run(lr);
            if (s == null) {
                log.info("login refused from {} ({}): {}", remote,
                        login.initiatorName() == null ? "unknown initiator" : login.initiatorName(), login.refusal());
                return;
            }
            startFullFeature(s, login.statSn());
            Session started = s;
            Thread.ofPlatform().name("iscsi-" + remote).daemon().start(() -> serve(started));
            s = null;
        } catch (EOFException e) {
            endReason = "connection closed by initiator";
        } catch (PduException e) {
            endReason = "protocol error: " + e.getMessage();
        } catch (IOException e) {
            endReason = closed ? "closed by target" : "I/O error: " + e.getMessage();
        } catch (RuntimeException e) {
            log.error("{}: internal error during login", remote, e);
            endReason = "internal error";
        } finally {
            if (s == null && session == null) {
                closeSocket();
            } else if (s != null) {
                cleanup(endReason);
            }
        }
    }

    private void startFullFeature(Session s, int nextStatSn) throws IOException {
        SessionParams p = s.params;
        s.account = server.budget().newAccount();
        framer.setDigests(p.headerDigest(), p.dataDigest());
        framer.setMaxRecvDataSegmentLength(p.maxRecvDataSegmentLength());
        outbox.start(nextStatSn, p.headerDigest(), p.dataDigest(), s.window);
        responses = new ResponseWriter(outbox, () -> s.params);
        scheduler = new CommandScheduler(s, server.core(), outbox, server.budget(), this);
        session = s;
        s.connection = this;
        socket.configureBlocking(false);
        selector = Selector.open();
        log.info("login: {} from {} via {} (digests {}/{}, burst {}, first burst {}, immediate {}, initialR2T {})",
                s, remote, portal, p.headerDigest() ? "CRC32C" : "None", p.dataDigest() ? "CRC32C" : "None",
                p.maxBurstLength(), p.firstBurstLength(), p.immediateData(), p.initialR2T());
        if (s.nexus != null) {
            server.core().nexusFormed(s.nexus, s.lunMap);
        }
        server.register(this);
    }

    /** Full feature phase (RFC 7143 3.2): reads, dispatches, runs quick commands, flushes. */
    private void serve(Session s) {
        thread = Thread.currentThread();
        String endReason = "closed by target";
        ByteBuffer rbuf = ByteBuffer.allocateDirect(READ_BUFFER).flip();
        try {
            SelectionKey key = socket.register(selector, SelectionKey.OP_READ);
            boolean readable = true;
            while (!closed) {
                runMailbox();
                boolean more = false;
                if (readable && !backpressured()) {
                    ByteBuffer direct = framer.dataTarget();
                    int n;
                    if (direct != null && !rbuf.hasRemaining()) {
                        int want = direct.remaining();
                        n = socket.read(direct);
                        more = n == want;
                        if (n > 0) {
                            feed(Pdu.EMPTY);
                        }
                    } else {
                        rbuf.compact();
                        int want = rbuf.remaining();
                        n = socket.read(rbuf);
                        rbuf.flip();
                        more = n == want;
                        if (n > 0) {
                            feed(rbuf);
                        }
                    }
                    if (n < 0) {
                        endReason = "connection closed by initiator";
                        break;
                    }
                    if (n > 0) {
                        lastReceive = System.nanoTime();
                    }
                }
                runInline();
                outbox.flush();
                if (!more && !closed) {
                    key.interestOps((backpressured() ? 0 : SelectionKey.OP_READ)
                            | (outbox.isEmpty() ? 0 : SelectionKey.OP_WRITE));
                    wakeupPending.set(false);
                    if (mailbox.isEmpty()) {
                        ready = 0;
                        selector.select(k -> ready = k.readyOps(), 1000);
                        readable = (ready & SelectionKey.OP_READ) != 0;
                    } else {
                        readable = false;
                    }
                } else {
                    readable = true;
                }
            }
        } catch (PduException e) {
            endReason = "protocol error: " + e.getMessage();
        } catch (ClosedChannelException e) {
            endReason = "closed by target";
        } catch (IOException e) {
            endReason = closed ? "closed by target" : "I/O error: " + e.getMessage();
        } catch (RuntimeException e) {
            log.error("{}: internal error, dropping the connection", remote, e);
            endReason = "internal error";
        } finally {
            cleanup(endReason);
        }
    }

    /** Stops reading while more is queued than the session may buffer: the initiator is not reading. */
    private boolean backpressured() {
        return outbox.queuedBytes() > server.options().sessionDataBytes() + (1 << 20);
    }

    /** Feeds bytes to the framer and handles each whole PDU. */
    private void feed(ByteBuffer src) throws IOException, PduException {
        while (!closed) {
            Pdu pdu;
            try {
                pdu = framer.feed(src, this::place);
            } catch (PduException e) {
                releaseCommandData();
                if (e.fatal()) {
                    throw e;
                }
                if (e.rejectReason() == Reject.DATA_DIGEST_ERROR) {
                    scheduler.dataOutCorrupt();
                }
                reject(e.rejectReason(), e.header());
                continue;
            }
            if (pdu == null) {
                return;
            }
            try {
                dispatch(pdu);
            } finally {
                releaseCommandData();
            }
        }
    }

    private void dispatch(Pdu pdu) throws IOException, PduException {
        Session s = session;
        switch (pdu) {
            case ScsiCommandPdu c -> onCommand(c);
            case DataOut d -> {
                String refused = scheduler.dataOutArrived(d);
                if (refused != null) {
                    log.debug("{}: rejecting Data-Out: {}", remote, refused);
                    reject(Reject.PROTOCOL_ERROR, PduCodec.header(d));
                }
            }
            case NopOut n -> ordered(n.immediate(), n.cmdSn(), () -> onNopOut(n));
            case TaskMgmtRequest t -> ordered(t.immediate(), t.cmdSn(),
                    () -> server.taskManagement().perform(this, t, r -> respondTmf(t, r)));
            case TextRequest t -> ordered(t.immediate(), t.cmdSn(), () -> onText(t));
            case LogoutRequest l -> ordered(l.immediate(), l.cmdSn(), () -> onLogout(l));
            case SnackRequest sn -> reject(Reject.SNACK_REJECT, PduCodec.header(sn));
            default -> {
                reject(Reject.PROTOCOL_ERROR, PduCodec.header(pdu));
                throw PduException.fatal("unexpected " + pdu.getClass().getSimpleName() + " in full feature phase of "
                        + s);
            }
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
            log.debug("{}: dropped request with CmdSN {} outside the window", remote, cmdSn);
        }
    }

    // ---------------------------------------------------------------- SCSI commands and data

    /** Where a PDU's data segment goes: Data-Out into its command's buffer, immediate data into a new one. */
    private ByteBuffer place(Bhs h, int length) {
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

    private void releaseCommandData() {
        ByteBuffer b = commandData;
        commandData = null;
        BufferPool.SHARED.give(b);
    }

    private void onCommand(ScsiCommandPdu c) throws IOException, PduException {
        Session s = session;
        if (s.discovery) {
            reject(Reject.PROTOCOL_ERROR, PduCodec.header(c));
            throw PduException.fatal("SCSI command in a discovery session");
        }
        SessionParams p = s.params;
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
        if (c.immediate() && !s.window.tryImmediate()) {
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
            log.debug("{}: dropped command ITT 0x{} with CmdSN {} outside the window", remote,
                    Integer.toHexString(c.itt()), c.cmdSn());
        }
    }

    @Override
    public void start(IscsiTask t) {
        if (t.quick && Thread.currentThread() == thread) {
            inline.add(t);
        } else {
            server.workers().execute(() -> {
                execute(t);
                flushOrDrop();
            });
        }
    }

    private void runInline() {
        IscsiTask t;
        while ((t = inline.poll()) != null) {
            execute(t);
        }
    }

    /** Runs a command and queues its response (or ends it, when it was aborted meanwhile). */
    private void execute(IscsiTask t) {
        if (t.scsi.isAborted()) {
            endAborted(t); // aborted after it was started, before it ran
            return;
        }
        ScsiResult r;
        try {
            if (t.failure != null) {
                r = ScsiResult.of(t.failure);
            } else {
                t.scsi.attachDataOut(t.dataOut());
                r = server.core().execute(t.scsi);
            }
        } catch (RuntimeException e) {
            log.error("{}: internal error running {}", remote, t, e);
            r = new ScsiResult(ScsiStatus.CHECK_CONDITION, Sense.internalTargetFailure(), null);
        }
        if (t.scsi.claimCompletion()) {
            scheduler.complete(t);
            responses.complete(t, r, ResponseWriter.senseOf(t, r), () -> scheduler.release(t));
        } else {
            endAborted(t);
        }
    }

    @Override
    public void endAborted(IscsiTask t) {
        scheduler.complete(t);
        if (t.scsi.abortOutcome() == AbortOutcome.TASK_ABORTED_STATUS) {
            responses.taskAborted(t, () -> scheduler.release(t));
        } else {
            scheduler.release(t);
        }
    }

    @Override
    public void post(Runnable r) {
        mailbox.add(r);
        if (mailboxClosed) {
            runMailbox();
        } else if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }
    }

    private void runMailbox() {
        Runnable r;
        while ((r = mailbox.poll()) != null) {
            r.run();
        }
    }

    private void wakeForWrite() {
        if (Thread.currentThread() != thread && wakeupPending.compareAndSet(false, true)) {
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }
    }

    /** Flushes from a thread other than the connection's; a broken socket ends the connection. */
    void flushOrDrop() {
        try {
            outbox.flush();
        } catch (IOException e) {
            terminate("send failed: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- other requests

    private void onNopOut(NopOut n) {
        if (n.itt() == RESERVED_TAG) {
            if (n.ttt() == pendingPingTtt) {
                pendingPingTtt = RESERVED_TAG;
            }
            return;
        }
        ByteBuffer echo = n.data().duplicate();
        int max = session.params.maxSendDataSegmentLength();
        if (echo.remaining() > max) {
            echo.limit(echo.position() + max);
        }
        outbox.send(new NopIn(n.lun(), n.itt(), RESERVED_TAG, 0, 0, 0, echo), Outbox.StatSn.ADVANCE, null);
    }

    private void onText(TextRequest t) {
        Session s = session;
        text.answer(t, s, server, outbox, () -> reject(Reject.INVALID_PDU_FIELD, PduCodec.header(t)),
                () -> reject(Reject.PROTOCOL_ERROR, PduCodec.header(t)));
    }

    private void onLogout(LogoutRequest l) {
        int response = l.reason() == 2 ? 2 : 0; // ERL 0: connection recovery is not supported
        Runnable after = response == 0 ? () -> terminate("logout") : null;
        outbox.send(new LogoutResponse(response, l.itt(), 0, 0, 0, 2, 0), Outbox.StatSn.ADVANCE, after);
        if (response == 0) {
            log.info("logout: {} from {}", session, remote);
            closingAfterLogout = true;
        }
    }

    private void respondTmf(TaskMgmtRequest t, int response) {
        Runnable after = t.function() == TaskMgmtRequest.TARGET_COLD_RESET && response == TaskMgmtResponse.COMPLETE
                ? () -> server.dropSessionsOf(session.target) : null;
        outbox.send(new TaskMgmtResponse(response, t.itt(), 0, 0, 0), Outbox.StatSn.ADVANCE, after);
        flushOrDrop();
    }

    void reject(int reason, byte[] header) {
        ByteBuffer h = header == null ? Pdu.EMPTY : ByteBuffer.wrap(header);
        outbox.send(new Reject(reason, 0, 0, 0, 0, h), Outbox.StatSn.ADVANCE, null);
    }

    // ---------------------------------------------------------------- timers

    /**
     * Called every second by the server's timer: pings an idle initiator (NOP-In) and drops the
     * connection when a ping goes unanswered, when queued output has not drained for the send
     * timeout, or when Data-Out it asked for stopped coming (ERL 0 cannot recover either).
     */
    void tick(IscsiServer.Options o) {
        Session s = session;
        if (closed || s == null) {
            return;
        }
        long now = System.nanoTime();
        if (outbox.stalledFor(now) > o.sendTimeoutMillis() * 1_000_000L) {
            log.warn("{}: {} queued bytes not read by the initiator for {} ms; dropping the connection", s,
                    outbox.queuedBytes(), o.sendTimeoutMillis());
            terminate("send timeout");
            return;
        }
        if (scheduler.dataOutOverdue(now, IscsiServer.DATA_OUT_TIMEOUT_NANOS)) {
            log.warn("{}: Data-Out asked for by R2T did not arrive within {} s; dropping the connection", s,
                    IscsiServer.DATA_OUT_TIMEOUT_NANOS / 1_000_000_000L);
            terminate("Data-Out timeout");
            return;
        }
        long idle = o.nopIntervalSeconds() * 1_000_000_000L;
        long timeout = o.nopTimeoutSeconds() * 1_000_000_000L;
        if (pendingPingTtt != RESERVED_TAG) {
            if (now - pingSentAt > timeout) {
                terminate("NOP-In ping not answered");
            }
            return;
        }
        if (now - lastReceive < idle) {
            return;
        }
        int ttt;
        synchronized (this) {
            ttt = 0x7F000000 | (nextPing++ & 0xFFFFFF);
        }
        pingSentAt = now;
        pendingPingTtt = ttt;
        outbox.send(new NopIn(0, RESERVED_TAG, ttt, 0, 0, 0, Pdu.EMPTY), Outbox.StatSn.CURRENT, null);
        flushOrDrop();
    }

    /** Called by the server's timer: a connection still without a session is dropped. */
    void loginDeadline() {
        if (session == null && !closed) {
            log.info("{}: login not completed in time; closing", remote);
            terminate("login timeout");
        }
    }

    /** Closes the connection from any thread; its own thread then cleans up. */
    void terminate(String why) {
        if (!closed) {
            closed = true;
            log.debug("{}: terminating: {}", remote, why);
        }
        closeSocket();
        Selector sel = selector;
        if (sel != null) {
            sel.wakeup();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /**
     * The connection ended: the I_T nexus is lost (its tasks are aborted, SAM-5 6.3.4), waiting
     * commands are dropped, queued output is discarded and every buffer goes back.
     */
    private void cleanup(String reason) {
        closed = true;
        closeSocket();
        mailboxClosed = true;
        runMailbox();
        Session s = session;
        if (s != null) {
            server.unregister(this);
            if (s.nexus != null) {
                server.core().nexusLost(s.nexus, s.lunMap);
            }
            scheduler.close();
            runInline();
            outbox.close();
            runMailbox();
            if (!closingAfterLogout) {
                log.info("session ended: {} from {}: {}", s, remote, reason);
            }
        }
        try {
            Selector sel = selector;
            if (sel != null) {
                sel.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
