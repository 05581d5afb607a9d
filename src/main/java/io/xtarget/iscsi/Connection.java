package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataIn;
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
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.SnackRequest;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.iscsi.pdu.TextResponse;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LunAddress;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: login, then the full feature phase (RFC 7143 3.2). The reader thread parses
 * every PDU, collects Data-Out straight into the command's buffer and orders commands by CmdSN;
 * commands run on the server's worker pool, which sends Data-In and status. Any PDU the target
 * cannot accept gets a Reject or a clean disconnect, never an exception out of this class.
 */
final class Connection implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final int RESERVED_TAG = 0xFFFFFFFF;

    private final IscsiServer server;
    private final Portal portal;
    private final SocketChannel socket;
    private final PduChannel channel;
    private final String remote;
    private final ReentrantLock statusLock = new ReentrantLock();
    private final Map<Integer, PendingCommand> commands = new ConcurrentHashMap<>();
    private final Map<Integer, PendingCommand> byTtt = new ConcurrentHashMap<>();
    /** Task sets of this session (TST 001b: one per LUN of this I_T nexus), for task attributes. */
    private final Map<Integer, TaskOrder> taskSets = new ConcurrentHashMap<>();
    private final TextContinuation text = new TextContinuation();
    private int statSn;
    private int nextTtt = 1;
    private volatile Session session;
    private volatile boolean closed;
    private volatile long lastReceive = System.nanoTime();
    private volatile int pendingPingTtt = RESERVED_TAG;
    private volatile long pingSentAt;
    /** Set by {@link #placeData} when a Data-Out landed directly in its command's buffer. */
    private PendingCommand placedInto;

    Connection(IscsiServer server, Portal portal, SocketChannel socket) {
        this.server = server;
        this.portal = portal;
        this.socket = socket;
        this.channel = new PduChannel(socket);
        this.remote = remoteOf(socket);
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

    @Override
    public void run() {
        String endReason = "connection closed";
        try {
            Pdu first = channel.read();
            if (!(first instanceof LoginRequest lr)) {
                log.info("{}: first PDU is not a login request; closing", remote);
                return;
            }
            Login login = new Login(server, portal, channel, 1);
            Session s = login.run(lr);
            statSn = login.statSn();
            if (s == null) {
                log.info("login refused from {} ({}): {}", remote,
                        login.initiatorName() == null ? "unknown initiator" : login.initiatorName(), login.refusal());
                return;
            }
            session = s;
            s.connection = this;
            SessionParams p = s.params;
            channel.setDigests(p.headerDigest(), p.dataDigest());
            channel.setMaxRecvDataSegmentLength(p.maxRecvDataSegmentLength());
            log.info("login: {} from {} via {} (digests {}/{}, burst {}, first burst {}, immediate {}, initialR2T {})",
                    s, remote, portal, p.headerDigest() ? "CRC32C" : "None", p.dataDigest() ? "CRC32C" : "None",
                    p.maxBurstLength(), p.firstBurstLength(), p.immediateData(), p.initialR2T());
            server.register(this);
            endReason = fullFeaturePhase();
        } catch (EOFException e) {
            endReason = "connection closed by initiator";
        } catch (PduException e) {
            endReason = "protocol error: " + e.getMessage();
        } catch (IOException e) {
            endReason = closed ? "closed by target" : "I/O error: " + e.getMessage();
        } catch (RuntimeException e) {
            log.error("{}: internal error, dropping the connection", remote, e);
            endReason = "internal error";
        } finally {
            cleanup(endReason);
        }
    }

    // ---------------------------------------------------------------- full feature phase

    private String fullFeaturePhase() throws IOException, PduException {
        while (!closed) {
            Pdu pdu;
            try {
                placedInto = null;
                pdu = channel.read(this::placeData);
            } catch (PduException e) {
                if (e.fatal()) {
                    throw e;
                }
                reject(e.rejectReason(), e.header());
                continue;
            }
            lastReceive = System.nanoTime();
            switch (pdu) {
                case ScsiCommandPdu c -> onCommand(c);
                case DataOut d -> onDataOut(d);
                case NopOut n -> ordered(n.immediate(), n.cmdSn(), () -> onNopOut(n));
                case TaskMgmtRequest t -> ordered(t.immediate(), t.cmdSn(), () -> onTaskManagement(t));
                case TextRequest t -> ordered(t.immediate(), t.cmdSn(), () -> onText(t));
                case LogoutRequest l -> {
                    ordered(l.immediate(), l.cmdSn(), () -> onLogout(l));
                    if (closed) {
                        return "logout";
                    }
                }
                case SnackRequest s -> reject(Reject.SNACK_REJECT, PduCodec.header(s));
                default -> {
                    reject(Reject.PROTOCOL_ERROR, PduCodec.header(pdu));
                    throw PduException.fatal("unexpected " + pdu.getClass().getSimpleName() + " in full feature phase");
                }
            }
        }
        return "closed by target";
    }

    /** Runs a non-SCSI request in CmdSN order (immediate ones at once), RFC 7143 3.2.2.1. */
    private void ordered(boolean immediate, int cmdSn, IoAction action) throws IOException {
        if (immediate) {
            action.run();
            return;
        }
        IOException[] failure = new IOException[1];
        boolean accepted = session.window.accept(cmdSn, () -> {
            try {
                action.run();
            } catch (IOException e) {
                failure[0] = e;
            } finally {
                session.window.completed();
            }
        });
        if (!accepted) {
            log.debug("{}: dropped request with CmdSN {} outside the window", remote, cmdSn);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    // ---------------------------------------------------------------- SCSI commands and data

    private void onCommand(ScsiCommandPdu c) throws IOException, PduException {
        if (session.discovery) {
            reject(Reject.PROTOCOL_ERROR, PduCodec.header(c));
            throw PduException.fatal("SCSI command in a discovery session");
        }
        PendingCommand pc = new PendingCommand(c, LunAddress.decode(c.lun()));
        if (commands.putIfAbsent(pc.itt, pc) != null) {
            reject(Reject.TASK_IN_PROGRESS, PduCodec.header(c));
            return;
        }
        SessionParams p = session.params;
        int immediate = c.data().remaining();
        if (immediate > 0 && (!c.write() || !p.immediateData() || immediate > p.firstBurstLength()
                || immediate > pc.expectedLength)) {
            commands.remove(pc.itt);
            reject(Reject.PROTOCOL_ERROR, PduCodec.header(c));
            throw PduException.fatal("unexpected immediate data");
        }
        if (c.write() && pc.expectedLength > 0) {
            pc.unsolicitedOpen = !p.initialR2T() && !c.fin();
            if (pc.expectedLength > ScsiLimits.MAX_TRANSFER_BYTES) {
                // Too large to buffer: fail the command without soliciting anything (SBC-3: a
                // transfer above the advertised maximum is an invalid CDB field).
                pc.early = new ScsiException(Sense.invalidFieldInCdb());
            } else {
                pc.buffer = BufferPool.SHARED.take((int) pc.expectedLength);
                if (immediate > 0) {
                    pc.buffer.put(0, c.data(), c.data().position(), immediate);
                    pc.received = immediate;
                }
                pc.nextR2tOffset = immediate;
                if (!pc.unsolicitedOpen) {
                    solicit(pc);
                }
            }
        }
        if (c.immediate()) {
            session.window.acceptImmediate();
            onOrdered(pc);
        } else if (!session.window.accept(c.cmdSn(), () -> onOrdered(pc))) {
            log.debug("{}: dropped command ITT 0x{} with CmdSN {} outside the window", remote,
                    Integer.toHexString(pc.itt), c.cmdSn());
            commands.remove(pc.itt, pc);
            for (Map.Entry<Integer, PendingCommand> e : byTtt.entrySet()) {
                if (e.getValue() == pc) {
                    byTtt.remove(e.getKey());
                }
            }
            pc.releaseBuffer();
        }
    }

    private void onOrdered(PendingCommand pc) {
        taskSet(pc.lun).enter(pc);
        pc.ordered = true;
        if (pc.aborted && !pc.submitted) {
            startWaiting(taskSet(pc.lun).leave(pc));
            // Aborted while waiting for its turn: it never runs, so its slot is free again now.
            if (pc.releaseSlot()) {
                session.window.completed();
            }
            return;
        }
        maybeSubmit(pc);
    }

    /**
     * Starts a command once it has its turn in CmdSN order, all its data, and its task attribute
     * allows it (ORDERED / HEAD OF QUEUE, {@link TaskOrder}). Called by the reader thread and, when
     * a task finishes, by workers, so the decision is taken under a lock.
     */
    private void maybeSubmit(PendingCommand pc) {
        synchronized (taskSets) {
            if (pc.ordered && !pc.submitted && !pc.aborted && (pc.dataComplete() || pc.early != null)
                    && taskSet(pc.lun).mayStart(pc)) {
                pc.submitted = true;
                server.workers().execute(() -> execute(pc));
            }
        }
    }

    private TaskOrder taskSet(int lun) {
        return taskSets.computeIfAbsent(lun, k -> new TaskOrder());
    }

    /** Tasks that a finished (or dropped) task may have been holding back. */
    private void startWaiting(List<PendingCommand> waiting) {
        for (PendingCommand w : waiting) {
            maybeSubmit(w);
        }
    }

    /** Where the reader should put a Data-Out payload: straight into its command's buffer. */
    private ByteBuffer placeData(Bhs h, int length) {
        if (h.opcode() != Opcode.DATA_OUT) {
            return null;
        }
        PendingCommand pc = commands.get(h.i32(16));
        long offset = h.u32(40);
        // Once submitted, the buffer belongs to the worker (and then to the pool): never write it.
        if (pc == null || pc.submitted || pc.aborted || pc.buffer == null || offset + length > pc.expectedLength) {
            return null;
        }
        placedInto = pc;
        return pc.buffer.duplicate().position((int) offset).limit((int) offset + length).slice();
    }

    private void onDataOut(DataOut d) throws IOException, PduException {
        PendingCommand pc = commands.get(d.itt());
        int len = d.data().remaining();
        if (pc == null || !pc.isWrite() || pc.submitted || pc.aborted) {
            // Data for a task that was aborted, failed early or already has its data: dropped.
            log.debug("{}: Data-Out for unknown task 0x{}", remote, Integer.toHexString(d.itt()));
            return;
        }
        if (d.bufferOffset() + len > pc.expectedLength) {
            reject(Reject.PROTOCOL_ERROR, PduCodec.header(d));
            throw PduException.fatal("Data-Out beyond the expected data transfer length");
        }
        // RFC 7143 11.7.5: DataSN counts the Data-Out PDUs of each sequence (one per R2T, one for
        // unsolicited data) from 0. Framing is intact, so instead of dropping the connection the
        // task is failed with ABORTED COMMAND / DATA PHASE ERROR once its data is in, and never runs
        // on data that may be out of place.
        int expectedSn = pc.nextDataSn.getOrDefault(d.ttt(), 0);
        if (d.dataSn() != expectedSn && pc.early == null) {
            log.info("{}: task 0x{}: Data-Out DataSN {}, expected {}: failing the task", remote,
                    Integer.toHexString(pc.itt), d.dataSn(), expectedSn);
            pc.early = new ScsiException(new Sense(io.xtarget.scsi.SenseKey.ABORTED_COMMAND, 0x4B, 0x00));
        }
        pc.nextDataSn.put(d.ttt(), expectedSn + 1);
        if (pc.buffer != null && placedInto != pc && len > 0) {
            pc.buffer.put((int) d.bufferOffset(), d.data(), d.data().position(), len);
        }
        pc.received += len;
        if (d.ttt() == RESERVED_TAG) {
            if (!pc.unsolicitedOpen) {
                reject(Reject.PROTOCOL_ERROR, PduCodec.header(d));
                throw PduException.fatal("unsolicited Data-Out not allowed");
            }
            if (d.fin()) {
                pc.unsolicitedOpen = false;
                pc.nextR2tOffset = Math.max(pc.nextR2tOffset, pc.received);
                solicit(pc);
            }
        } else {
            PendingCommand owner = byTtt.get(d.ttt());
            if (owner != pc) {
                reject(Reject.PROTOCOL_ERROR, PduCodec.header(d));
                throw PduException.fatal("Data-Out with unknown target transfer tag");
            }
            if (d.fin()) {
                byTtt.remove(d.ttt());
                pc.outstandingR2t--;
                solicit(pc);
            }
        }
        maybeSubmit(pc);
    }

    /** Sends R2Ts for the rest of a command's data, up to MaxOutstandingR2T at a time. */
    private void solicit(PendingCommand pc) throws IOException {
        if (pc.buffer == null) {
            return;
        }
        SessionParams p = session.params;
        while (pc.outstandingR2t < p.maxOutstandingR2T() && pc.nextR2tOffset < pc.expectedLength) {
            long len = Math.min(p.maxBurstLength(), pc.expectedLength - pc.nextR2tOffset);
            int ttt = nextTtt++;
            if (nextTtt == RESERVED_TAG) {
                nextTtt = 1;
            }
            byTtt.put(ttt, pc);
            long offset = pc.nextR2tOffset;
            int r2tSn = pc.r2tSn++;
            pc.nextR2tOffset += len;
            pc.outstandingR2t++;
            pc.dataSn++;
            sendWithCurrentStatSn(sn -> new R2t(pc.pdu.lun(), pc.itt, ttt, sn, session.window.expCmdSn(),
                    session.window.maxCmdSn(), r2tSn, offset, len));
        }
    }

    /** Runs on a worker thread: executes the command and sends its data and status. */
    private void execute(PendingCommand pc) {
        ScsiTask task = null;
        try {
            ByteBuffer dataOut = pc.buffer == null ? null : pc.buffer.duplicate().position(0).limit((int) pc.received);
            task = new ScsiTask(server.core(), session.nexus, session.lunMap, pc.lun, new Cdb(pc.pdu.cdb()), dataOut,
                    pc.itt & 0xFFFFFFFFL);
            pc.task = task;
            if (pc.aborted) {
                task.abort();
            }
            ScsiResult r = pc.early != null ? ScsiResult.of(pc.early) : server.core().execute(task);
            if (pc.releaseSlot()) {
                session.window.completed();
            }
            if (!closed && pc.claimResponse()) {
                respond(pc, task, r);
            }
        } catch (IOException e) {
            terminate("send failed: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: internal error running {}", remote, task, e);
            terminate("internal error");
        } finally {
            if (task != null) {
                task.release();
            }
            pc.releaseBuffer();
            commands.remove(pc.itt, pc);
            pc.done.countDown();
            startWaiting(taskSet(pc.lun).leave(pc));
        }
    }

    private void respond(PendingCommand pc, ScsiTask task, ScsiResult r) throws IOException {
        long expected = pc.expectedLength;
        ByteBuffer data = r.data();
        int produced = data == null ? 0 : data.remaining();
        int flags = 0;
        long residual = 0;
        long send = 0;
        if (produced > 0 || (pc.pdu.read() && !pc.isWrite())) {
            long room = pc.pdu.read() ? expected : 0;
            send = Math.min(produced, room);
            if (produced > room) {
                flags = ScsiResponsePdu.OVERFLOW;
                residual = produced - room;
            } else if (produced < room) {
                flags = ScsiResponsePdu.UNDERFLOW;
                residual = room - produced;
            }
        } else if (pc.isWrite() && task.requestedDataOut() >= 0) {
            long wanted = task.requestedDataOut();
            if (wanted > expected) {
                flags = ScsiResponsePdu.OVERFLOW;
                residual = wanted - expected;
            } else if (wanted < expected) {
                flags = ScsiResponsePdu.UNDERFLOW;
                residual = expected - wanted;
            }
        } else if (pc.isWrite() && pc.early != null) {
            flags = ScsiResponsePdu.UNDERFLOW;
            residual = expected;
        }
        boolean collapse = r.status() == ScsiStatus.GOOD && send > 0;
        if (send > 0) {
            sendDataIn(pc, data, (int) send, collapse, flags, residual);
        }
        if (!collapse) {
            ByteBuffer senseData = Pdu.EMPTY;
            if (r.sense() != null) {
                byte[] sense = task.encodeSense(r.sense());
                senseData = ByteBuffer.allocate(2 + sense.length).putShort((short) sense.length).put(sense).flip();
            }
            ByteBuffer sd = senseData;
            int f = flags;
            long res = residual;
            sendWithStatSn(sn -> new ScsiResponsePdu(f, 0, r.status().code(), pc.itt, sn, session.window.expCmdSn(),
                    session.window.maxCmdSn(), pc.dataSn, 0, res, sd));
        }
    }

    /** Sends {@code length} bytes of {@code data} as Data-In PDUs no larger than the initiator accepts. */
    private void sendDataIn(PendingCommand pc, ByteBuffer data, int length, boolean withStatus, int flags,
            long residual) throws IOException {
        SessionParams p = session.params;
        int maxPdu = p.maxSendDataSegmentLength();
        int burst = p.maxBurstLength();
        int base = data.position();
        int offset = 0;
        while (offset < length) {
            int inBurst = burst - (offset % burst);
            int n = Math.min(Math.min(maxPdu, length - offset), inBurst);
            boolean last = offset + n == length;
            boolean endOfSequence = last || n == inBurst;
            ByteBuffer slice = data.duplicate().position(base + offset).limit(base + offset + n).slice();
            int off = offset;
            int dataSn = pc.dataSn++;
            if (last && withStatus) {
                sendWithStatSn(sn -> new DataIn(true, false, flags, true, 0, 0, pc.itt, RESERVED_TAG, sn,
                        session.window.expCmdSn(), session.window.maxCmdSn(), dataSn, off, residual, slice));
            } else {
                channel.write(new DataIn(endOfSequence, false, 0, false, 0, 0, pc.itt, RESERVED_TAG, 0,
                        session.window.expCmdSn(), session.window.maxCmdSn(), dataSn, off, 0, slice));
            }
            offset += n;
        }
    }

    // ---------------------------------------------------------------- other requests

    private void onNopOut(NopOut n) throws IOException {
        if (n.itt() == RESERVED_TAG) {
            if (n.ttt() == pendingPingTtt) {
                pendingPingTtt = RESERVED_TAG;
            }
            return;
        }
        ByteBuffer echo = n.data().duplicate();
        if (echo.remaining() > session.params.maxSendDataSegmentLength()) {
            echo.limit(echo.position() + session.params.maxSendDataSegmentLength());
        }
        ByteBuffer e = echo;
        sendWithStatSn(sn -> new NopIn(n.lun(), n.itt(), RESERVED_TAG, sn, session.window.expCmdSn(),
                session.window.maxCmdSn(), e));
    }

    private void onText(TextRequest t) throws IOException {
        ByteBuffer chunk;
        if (t.ttt() != RESERVED_TAG) {
            chunk = text.next(t.ttt());
            if (chunk == null) {
                reject(Reject.INVALID_PDU_FIELD, PduCodec.header(t));
                return;
            }
        } else {
            TextParameters keys = TextParameters.parse(t.data());
            TextNegotiation.Result r = TextNegotiation.answer(keys, session.params);
            if (r.protocolError()) {
                reject(Reject.PROTOCOL_ERROR, PduCodec.header(t)); // RFC 7143 6.2, 7.11, 11.17.1
                return;
            }
            session.params = r.updated();
            byte[] targets = keys.contains("SendTargets") ? Discovery.sendTargets(server, session,
                    keys.get("SendTargets")) : null;
            chunk = text.start(TextNegotiation.body(targets, r.answer()), session.params.maxSendDataSegmentLength());
        }
        boolean more = text.hasMore();
        int ttt = more ? text.ttt() : RESERVED_TAG;
        ByteBuffer c = chunk;
        sendWithStatSn(sn -> new TextResponse(!more, more, 0, t.itt(), ttt, sn, session.window.expCmdSn(),
                session.window.maxCmdSn(), c));
    }

    private void onLogout(LogoutRequest l) throws IOException {
        int response = l.reason() == 2 ? 2 : 0; // ERL 0: connection recovery is not supported
        sendWithStatSn(sn -> new LogoutResponse(response, l.itt(), sn, session.window.expCmdSn(),
                session.window.maxCmdSn(), 2, 0));
        if (response == 0) {
            log.info("logout: {} from {}", session, remote);
            closed = true;
        }
    }

    private void onTaskManagement(TaskMgmtRequest t) {
        // Waiting for aborted tasks must not stall the reader, so the TMF runs on a worker.
        server.workers().execute(() -> {
            int response;
            try {
                response = server.taskManagement().perform(this, t);
            } catch (RuntimeException e) {
                log.error("{}: task management failed", remote, e);
                response = 0xFF;
            }
            int resp = response;
            try {
                sendWithStatSn(sn -> new io.xtarget.iscsi.pdu.TaskMgmtResponse(resp, t.itt(), sn,
                        session.window.expCmdSn(), session.window.maxCmdSn()));
            } catch (IOException e) {
                terminate("send failed: " + e.getMessage());
            }
            if (t.function() == TaskMgmtRequest.TARGET_COLD_RESET && resp == 0) {
                server.dropSessionsOf(session.target);
            }
        });
    }

    // ---------------------------------------------------------------- tasks, for task management

    /** Commands of this connection, for ABORT TASK / LUN RESET. */
    List<PendingCommand> commands() {
        return new ArrayList<>(commands.values());
    }

    PendingCommand command(int itt) {
        return commands.get(itt);
    }

    /**
     * Aborts a command: it sends no response. A command still collecting data is dropped here; a
     * running one is marked and finishes on its worker.
     */
    boolean abort(PendingCommand pc) {
        if (!pc.abort()) {
            return false;
        }
        if (!pc.submitted) {
            // The reader thread may still be filling the buffer: it is left to the garbage
            // collector rather than returned to the shared pool.
            commands.remove(pc.itt, pc);
            byTtt.values().removeIf(x -> x == pc);
            // No worker will run it, so nobody else returns its CmdSN window slot (RFC 7143
            // 4.2.2.1: MaxCmdSN must open again once the task is gone).
            if (pc.releaseSlot()) {
                session.window.completed();
            }
            pc.done.countDown();
            startWaiting(taskSet(pc.lun).leave(pc));
        }
        return true;
    }

    boolean windowAlreadyReceived(int cmdSn) {
        return session.window.alreadyReceived(cmdSn);
    }

    // ---------------------------------------------------------------- sending

    private void sendWithStatSn(IntFunction<Pdu> build) throws IOException {
        statusLock.lock();
        try {
            int sn = statSn;
            channel.write(build.apply(sn));
            statSn = sn + 1;
        } finally {
            statusLock.unlock();
        }
    }

    private void sendWithCurrentStatSn(IntFunction<Pdu> build) throws IOException {
        statusLock.lock();
        try {
            channel.write(build.apply(statSn));
        } finally {
            statusLock.unlock();
        }
    }

    private void reject(int reason, byte[] header) throws IOException {
        ByteBuffer h = header == null ? Pdu.EMPTY : ByteBuffer.wrap(header);
        sendWithStatSn(sn -> new Reject(reason, sn, session == null ? 0 : session.window.expCmdSn(),
                session == null ? 0 : session.window.maxCmdSn(), 0, h));
    }

    /** Sends a NOP-In ping when the initiator has been silent; drops the connection when pings go unanswered. */
    void keepAlive(long idleNanos, long timeoutNanos) {
        if (closed || session == null) {
            return;
        }
        long now = System.nanoTime();
        if (pendingPingTtt != RESERVED_TAG) {
            if (now - pingSentAt > timeoutNanos) {
                terminate("NOP-In ping not answered");
            }
            return;
        }
        if (now - lastReceive < idleNanos) {
            return;
        }
        int ttt;
        synchronized (this) {
            ttt = 0x7F000000 | (nextPing++ & 0xFFFFFF);
        }
        pingSentAt = now;
        pendingPingTtt = ttt;
        try {
            sendWithCurrentStatSn(sn -> new NopIn(0, RESERVED_TAG, ttt, sn, session.window.expCmdSn(),
                    session.window.maxCmdSn(), Pdu.EMPTY));
        } catch (IOException e) {
            terminate("ping failed: " + e.getMessage());
        }
    }

    private int nextPing;

    /** Called by the server's timer: a connection still without a session is dropped. */
    void loginDeadline() {
        if (session == null && !closed) {
            log.info("{}: login not completed in time; closing", remote);
            terminate("login timeout");
        }
    }

    /** Closes the connection from any thread; the reader thread then cleans up. */
    void terminate(String why) {
        if (!closed) {
            closed = true;
            log.debug("{}: terminating: {}", remote, why);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private void cleanup(String reason) {
        closed = true;
        for (PendingCommand pc : commands.values()) {
            abort(pc);
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
        if (session != null) {
            server.unregister(this);
            if (!"logout".equals(reason)) {
                log.info("session ended: {} from {}: {}", session, remote, reason);
            }
        }
    }
}
