package io.xtarget.initiator;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.AsyncMessage;
import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.LogoutRequest;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Opcode;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.R2t;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.iscsi.pdu.TextResponse;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session over one TCP connection (RFC 7143), ErrorRecoveryLevel 0.
 *
 * <p>Threads: any number of callers submit commands; one reader thread reads every PDU and
 * dispatches it by Initiator Task Tag; R2Ts and target pings are answered on virtual threads so the
 * reader never blocks on a socket write. If the connection drops, every pending request completes
 * exceptionally with {@link SessionClosedException}.
 */
public final class IscsiSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);
    private static final int RESERVED_TAG = 0xFFFFFFFF;
    /** SAM-5 task attribute SIMPLE in the SCSI Command PDU (RFC 7143 11.3.1). */
    private static final int ATTR_SIMPLE = 1;
    private static final int MAX_SEND_TARGETS_TEXT = 1 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String description;
    private final SocketChannel socket;
    private final PduChannel ch;
    private final NegotiatedParameters params;
    private final InitiatorOptions options;
    private final boolean discovery;
    private final long isid;
    private final int tsih;
    private final CmdSnWindow window;
    /** Keeps CmdSN order on the wire equal to CmdSN assignment order. Never held by the reader. */
    private final ReentrantLock sendOrder = new ReentrantLock();
    private final AtomicInteger expStatSn;
    private final AtomicInteger nextItt = new AtomicInteger(1);
    /** ITT -> PendingCommand, or CompletableFuture&lt;Pdu&gt; for NOP/TMF/Text/Logout. */
    private final ConcurrentHashMap<Integer, Object> pending = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile Throwable closedBy;
    private volatile boolean loggingOut;

    private IscsiSession(String description, SocketChannel socket, PduChannel ch, InitiatorOptions options,
            boolean discovery, long isid, LoginExchange.Outcome login, int cmdSn) {
        this.description = description;
        this.socket = socket;
        this.ch = ch;
        this.options = options;
        this.discovery = discovery;
        this.isid = isid;
        this.params = login.parameters();
        this.tsih = login.tsih();
        this.window = new CmdSnWindow(cmdSn, login.expCmdSn(), login.maxCmdSn());
        this.expStatSn = new AtomicInteger(login.expStatSn());
        this.reader = Thread.ofPlatform().daemon().name("iscsi-reader " + description).unstarted(this::readLoop);
    }

    /**
     * Logs in to {@code url}'s target (the URL's LUN is for the caller), with the URL's CHAP
     * secrets unless the options carry their own.
     */
    public static IscsiSession open(IscsiUrl url, InitiatorOptions options) throws IOException {
        InitiatorOptions o = url.chap() != null && options.chap() == null ? options.withChapSecrets(url.chap())
                : options;
        return open(url.host(), url.port(), url.targetName(), o);
    }

    /** Logs in to a normal session with {@code targetName} at host:port. */
    public static IscsiSession open(String host, int port, String targetName, InitiatorOptions options)
            throws IOException {
        return connect(host, port, targetName, options, false);
    }

    /** Opens a discovery session (SessionType=Discovery); use {@link #sendTargets()} then close. */
    public static IscsiSession openDiscovery(String host, int port, InitiatorOptions options) throws IOException {
        return connect(host, port, null, options, true);
    }

    /** Discovery in one call: login, SendTargets=All, logout. */
    public static List<DiscoveredTarget> discover(String host, int port, InitiatorOptions options)
            throws IOException {
        try (IscsiSession s = openDiscovery(host, port, options)) {
            List<DiscoveredTarget> targets = s.sendTargets();
            s.logout();
            return targets;
        }
    }

    private static IscsiSession connect(String host, int port, String targetName, InitiatorOptions o,
            boolean discovery) throws IOException {
        String description = host + ":" + port + (discovery ? " (discovery)" : " " + targetName);
        SocketChannel sc = SocketChannel.open();
        CountDownLatch loggedIn = new CountDownLatch(1);
        boolean[] timedOut = {false};
        try {
            sc.socket().connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE,
                    o.connectTimeout().toMillis()));
            sc.setOption(StandardSocketOptions.TCP_NODELAY, true);
            PduChannel ch = new PduChannel(sc);
            // SocketChannel reads cannot time out, so a watchdog closes the socket when login stalls.
            Thread.ofVirtual().start(() -> {
                try {
                    if (!loggedIn.await(o.loginTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                        synchronized (timedOut) {
                            timedOut[0] = true;
                        }
                        sc.close();
                    }
                } catch (InterruptedException | IOException ignored) {
                    // nothing to clean up
                }
            });
            // ISID type 10b "random" (RFC 7143 10.12.5): A reserved, B and C random, D qualifier.
            long isid = (0x80L << 40) | (RANDOM.nextLong() & 0xFFFFFFFFFFL);
            int cmdSn = 1;
            LoginExchange.Outcome login = new LoginExchange(ch, isid, 0, cmdSn, description)
                    .run(o, discovery, targetName);
            loggedIn.countDown();
            synchronized (timedOut) {
                if (timedOut[0]) {
                    throw new IscsiTimeoutException(description + ": login timed out");
                }
            }
            NegotiatedParameters p = login.parameters();
            // RFC 7143 13.12: digests start with the first PDU after the final login response.
            ch.setDigests(p.headerDigest() == Digest.CRC32C, p.dataDigest() == Digest.CRC32C);
            ch.setMaxRecvDataSegmentLength(p.initiatorMaxRecvDataSegmentLength());
            IscsiSession s = new IscsiSession(description, sc, ch, o, discovery, isid, login, cmdSn);
            s.reader.start();
            log.debug("{}: logged in, {}", description, p);
            return s;
        } catch (IOException | RuntimeException e) {
            loggedIn.countDown();
            closeQuietly(sc);
            boolean late;
            synchronized (timedOut) {
                late = timedOut[0];
            }
            if (late && !(e instanceof LoginException)) {
                throw new IscsiTimeoutException(description + ": login timed out after " + o.loginTimeout());
            }
            throw e;
        }
    }

    public NegotiatedParameters parameters() {
        return params;
    }

    /** The TSIH the target gave this session. */
    public int tsih() {
        return tsih;
    }

    public long isid() {
        return isid;
    }

    public boolean isOpen() {
        return closedBy == null;
    }

    // ---------------------------------------------------------------- SCSI commands

    /** Runs one command and waits for it (up to the command timeout). */
    public CommandResult execute(int lun, byte[] cdb, ByteBuffer dataOut, int dataInLength) throws IOException {
        CompletableFuture<CommandResult> f = submit(lun, cdb, dataOut, dataInLength);
        try {
            return f.get(options.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            IscsiTimeoutException t = new IscsiTimeoutException(description + ": command 0x"
                    + String.format("%02x", cdb[0] & 0xFF) + " timed out after " + options.commandTimeout());
            f.completeExceptionally(t);
            pending.values().removeIf(v -> v instanceof PendingCommand c && c.future == f);
            throw t;
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a command");
        }
    }

    /**
     * Sends one command and returns at once with its future. Blocks only while the command window
     * is closed (up to the command timeout) and while its PDUs are written.
     *
     * @param lun logical unit number 0..16383
     * @param cdb 1..16 bytes
     * @param dataOut bytes to write (position..limit), or null; not copied, must not change until done
     * @param dataInLength expected Data-In length, 0 for none
     */
    public CompletableFuture<CommandResult> submit(int lun, byte[] cdb, ByteBuffer dataOut, int dataInLength) {
        if (cdb == null || cdb.length < 1 || cdb.length > 16) {
            throw new IllegalArgumentException("CDB must be 1..16 bytes");
        }
        if (dataInLength < 0) {
            throw new IllegalArgumentException("negative Data-In length");
        }
        ByteBuffer out = dataOut == null || !dataOut.hasRemaining() ? null : dataOut.slice().asReadOnlyBuffer();
        if (out != null && dataInLength > 0) {
            throw new IllegalArgumentException("bidirectional commands are not supported");
        }
        long lunField = LunField.encode(lun);
        if (discovery) {
            return CompletableFuture.failedFuture(new IllegalStateException("no SCSI commands in a discovery session"));
        }
        PendingCommand cmd;
        try {
            cmd = register(itt -> new PendingCommand(itt, lun, out, dataInLength));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            sendCommand(cmd, lunField, cdb, dataInLength);
        } catch (IOException e) {
            pending.remove(cmd.itt, cmd);
            cmd.future.completeExceptionally(e);
        }
        return cmd.future;
    }

    private void sendCommand(PendingCommand cmd, long lunField, byte[] cdb, int dataInLength) throws IOException {
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
                        lunField, cmd.itt, edtl, cmdSn, expStatSn.get(), cdb16, immData);
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
            ch.write(new DataOut(pos + n == end, lunField, cmd.itt, ttt, expStatSn.get(), dataSn++, pos, slice));
        }
    }

    // ---------------------------------------------------------------- other requests

    /** Pings the target (NOP-Out with a fresh ITT, RFC 7143 11.18) and waits for its NOP-In. */
    public void nop() throws IOException {
        byte[] ping = new byte[8];
        RANDOM.nextBytes(ping);
        byte[] echo = nop(ping);
        if (!Arrays.equals(echo, ping)) {
            throw new IscsiProtocolException(description + ": NOP-In did not echo the ping data");
        }
    }

    /** Pings with data (at most the target's MaxRecvDataSegmentLength) and returns what came back. */
    public byte[] nop(byte[] pingData) throws IOException {
        if (pingData.length > params.targetMaxRecvDataSegmentLength()) {
            throw new IllegalArgumentException("ping data longer than the target's MaxRecvDataSegmentLength");
        }
        CompletableFuture<Pdu> f = newRequest();
        int itt = ittOf(f);
        sendImmediate(cmdSn -> new NopOut(true, 0, itt, RESERVED_TAG, cmdSn, expStatSn.get(),
                ByteBuffer.wrap(pingData.clone())), f);
        NopIn in = expect(NopIn.class, await(f, options.commandTimeout(), "NOP ping"), "NOP-Out");
        byte[] out = new byte[in.data().remaining()];
        in.data().duplicate().get(out);
        return out;
    }

    /** ABORT TASK for a command of this session (RFC 7143 11.5.1). Returns the TMF response code. */
    public int abortTask(int itt) throws IOException {
        Object o = pending.get(itt);
        if (o instanceof PendingCommand c && c.sent) {
            return taskManagement(TaskMgmtRequest.ABORT_TASK, c.lun, itt, c.cmdSn);
        }
        return taskManagement(TaskMgmtRequest.ABORT_TASK, 0, itt, window.current());
    }

    public int abortTaskSet(int lun) throws IOException {
        return taskManagement(TaskMgmtRequest.ABORT_TASK_SET, lun, RESERVED_TAG, 0);
    }

    public int clearTaskSet(int lun) throws IOException {
        return taskManagement(TaskMgmtRequest.CLEAR_TASK_SET, lun, RESERVED_TAG, 0);
    }

    public int lunReset(int lun) throws IOException {
        return taskManagement(TaskMgmtRequest.LOGICAL_UNIT_RESET, lun, RESERVED_TAG, 0);
    }

    public int targetWarmReset() throws IOException {
        return taskManagement(TaskMgmtRequest.TARGET_WARM_RESET, 0, RESERVED_TAG, 0);
    }

    /** TARGET COLD RESET: once it completes the target drops every session of the target, this one too (RFC 7143 11.5.1). */
    public int targetColdReset() throws IOException {
        return taskManagement(TaskMgmtRequest.TARGET_COLD_RESET, 0, RESERVED_TAG, 0);
    }

    /** The ITT of a command submitted on this session, to pass to {@link #abortTask}; -1 if not pending. */
    public int taskTagOf(CompletableFuture<CommandResult> future) {
        for (var e : pending.entrySet()) {
            if (e.getValue() instanceof PendingCommand c && c.future == future) {
                return e.getKey();
            }
        }
        return -1;
    }

    private int taskManagement(int function, int lun, int refItt, int refCmdSn) throws IOException {
        long lunField = LunField.encode(lun);
        CompletableFuture<Pdu> f = newRequest();
        int itt = ittOf(f);
        int[] tmfCmdSn = new int[1];
        sendImmediate(cmdSn -> {
            tmfCmdSn[0] = cmdSn;
            return new TaskMgmtRequest(true, function, lunField, itt, refItt, cmdSn, expStatSn.get(), refCmdSn, 0);
        }, f);
        TaskMgmtResponse r = expect(TaskMgmtResponse.class, await(f, options.commandTimeout(), "task management"),
                "task management request");
        if (r.response() == TaskMgmtResponse.COMPLETE
                || (function == TaskMgmtRequest.ABORT_TASK && r.response() == TaskMgmtResponse.TASK_DOES_NOT_EXIST)) {
            failAborted(function, lun, refItt, tmfCmdSn[0]);
        }
        return r.response();
    }

    /**
     * RFC 7143 4.2.3.3/11.5.1: the tasks a completed TMF ended get no response, and the TMF
     * response comes after every response the target did send; so whatever the TMF covers and is
     * still pending now is over.
     */
    private void failAborted(int function, int lun, int refItt, int tmfCmdSn) {
        for (Object o : pending.values()) {
            if (!(o instanceof PendingCommand c) || !c.sent || !SerialNumber.lessThan(c.cmdSn, tmfCmdSn)) {
                continue;
            }
            boolean hit = switch (function) {
                case TaskMgmtRequest.ABORT_TASK -> c.itt == refItt;
                case TaskMgmtRequest.ABORT_TASK_SET, TaskMgmtRequest.CLEAR_TASK_SET,
                        TaskMgmtRequest.LOGICAL_UNIT_RESET -> c.lun == lun;
                default -> true;
            };
            if (hit && pending.remove(c.itt, c)) {
                c.future.completeExceptionally(new TaskAbortedException(description + ": task 0x"
                        + Integer.toHexString(c.itt) + " ended by task management function " + function));
            }
        }
    }

    /** SendTargets=All (RFC 7143 Appendix C), following Text Response continuations. */
    public List<DiscoveredTarget> sendTargets() throws IOException {
        byte[] text = textExchange(TextKeys.encode(List.of(new Pair("SendTargets", "All"))));
        List<DiscoveredTarget> out = new ArrayList<>();
        String name = null;
        List<String> addresses = new ArrayList<>();
        for (Pair p : TextKeys.decode(text)) {
            if (p.key().equals("TargetName")) {
                if (name != null) {
                    out.add(new DiscoveredTarget(name, addresses));
                }
                name = p.value();
                addresses = new ArrayList<>();
            } else if (p.key().equals("TargetAddress") && name != null) {
                addresses.add(p.value());
            }
        }
        if (name != null) {
            out.add(new DiscoveredTarget(name, addresses));
        }
        return out;
    }

    private byte[] textExchange(byte[] request) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int ttt = RESERVED_TAG;
        byte[] body = request;
        int itt = -1;
        while (true) {
            CompletableFuture<Pdu> f = itt == -1 ? newRequest() : newRequest(itt);
            int tag = ittOf(f);
            itt = tag;
            int t = ttt;
            byte[] b = body;
            sendNonImmediateRequest(cmdSn -> new TextRequest(false, true, false, 0, tag, t, cmdSn, expStatSn.get(),
                    ByteBuffer.wrap(b)), f);
            TextResponse r = expect(TextResponse.class, await(f, options.commandTimeout(), "text request"),
                    "text request");
            if (all.size() + r.data().remaining() > MAX_SEND_TARGETS_TEXT) {
                throw new IscsiProtocolException(description + ": text response longer than "
                        + MAX_SEND_TARGETS_TEXT);
            }
            byte[] chunk = new byte[r.data().remaining()];
            r.data().duplicate().get(chunk);
            all.writeBytes(chunk);
            if (r.fin() && !r.cont()) {
                return all.toByteArray();
            }
            // RFC 7143 11.10.4: continue with an empty request carrying the target's TTT.
            ttt = r.ttt();
            body = new byte[0];
        }
    }

    /** Logout with reason "close the session" (RFC 7143 11.14); the connection is closed after. */
    public void logout() throws IOException {
        if (closedBy != null) {
            throw new SessionClosedException(description + ": session already closed", closedBy);
        }
        loggingOut = true;
        CompletableFuture<Pdu> f = newRequest();
        int itt = ittOf(f);
        try {
            sendImmediate(cmdSn -> new LogoutRequest(true, 0, itt, 0, cmdSn, expStatSn.get()), f);
            LogoutResponse r = expect(LogoutResponse.class, await(f, options.loginTimeout(), "logout"),
                    "logout request");
            if (r.response() != 0) {
                throw new IscsiProtocolException(description + ": logout failed with response " + r.response());
            }
        } finally {
            shutdown(new SessionClosedException(description + ": logged out", null));
        }
    }

    /** Logs out if still possible, then drops the connection; pending requests fail. Idempotent. */
    @Override
    public void close() {
        if (closedBy == null && !loggingOut) {
            try {
                logout();
            } catch (IOException e) {
                log.debug("{}: logout on close failed: {}", description, e.toString());
            }
        }
        shutdown(new SessionClosedException(description + ": session closed", null));
    }

    // ---------------------------------------------------------------- sending

    @FunctionalInterface
    private interface PduForCmdSn {
        Pdu build(int cmdSn);
    }

    /** Sends a PDU that takes a CmdSN, waiting while the window is closed. */
    private void sendNonImmediate(PduForCmdSn build) throws IOException {
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

    private void sendNonImmediateRequest(PduForCmdSn build, CompletableFuture<Pdu> f) throws IOException {
        try {
            sendNonImmediate(build);
        } catch (IOException e) {
            pending.remove(ittOf(f), f);
            throw e;
        }
    }

    /** Sends an immediate PDU: it carries the next CmdSN without taking it (RFC 7143 3.2.2.1). */
    private void sendImmediate(PduForCmdSn build, CompletableFuture<Pdu> f) throws IOException {
        sendOrder.lock();
        try {
            checkOpen();
            write(build.build(window.current()));
        } catch (IOException e) {
            if (f != null) {
                pending.remove(ittOf(f), f);
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
            shutdown(closed);
            throw closed;
        }
    }

    private void checkOpen() throws SessionClosedException {
        Throwable c = closedBy;
        if (c != null) {
            throw new SessionClosedException(description + ": session is closed", c);
        }
    }

    // ---------------------------------------------------------------- tags

    /** Allocates a free ITT (never 0xFFFFFFFF) and registers the value made for it. */
    private <T> T register(IntFunction<T> make) throws IOException {
        checkOpen();
        while (true) {
            int itt = nextItt.getAndIncrement();
            if (itt == RESERVED_TAG) {
                continue;
            }
            T v = make.apply(itt);
            if (pending.putIfAbsent(itt, v) == null) {
                // A shutdown racing with this registration may have drained the map already.
                if (closedBy != null && pending.remove(itt, v)) {
                    checkOpen();
                }
                return v;
            }
        }
    }

    private final ConcurrentHashMap<CompletableFuture<Pdu>, Integer> requestTags = new ConcurrentHashMap<>();

    private CompletableFuture<Pdu> newRequest() throws IOException {
        CompletableFuture<Pdu> f = register(itt -> {
            CompletableFuture<Pdu> g = new CompletableFuture<>();
            requestTags.put(g, itt);
            return g;
        });
        f.whenComplete((r, e) -> requestTags.remove(f));
        return f;
    }

    /** A new future for a continuation that must reuse an ITT (RFC 7143 11.10: same ITT per text sequence). */
    private CompletableFuture<Pdu> newRequest(int itt) throws IOException {
        checkOpen();
        CompletableFuture<Pdu> f = new CompletableFuture<>();
        requestTags.put(f, itt);
        f.whenComplete((r, e) -> requestTags.remove(f));
        if (pending.putIfAbsent(itt, f) != null) {
            throw new IllegalStateException("task tag in use");
        }
        if (closedBy != null && pending.remove(itt, f)) {
            checkOpen();
        }
        return f;
    }

    private int ittOf(CompletableFuture<Pdu> f) {
        Integer i = requestTags.get(f);
        return i == null ? RESERVED_TAG : i;
    }

    private Pdu await(CompletableFuture<Pdu> f, Duration timeout, String what) throws IOException {
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pending.values().remove(f);
            throw new IscsiTimeoutException(description + ": " + what + " timed out after " + timeout);
        } catch (ExecutionException e) {
            throw unwrap(e);
        } catch (InterruptedException e) {
            pending.values().remove(f);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + what);
        }
    }

    private <T extends Pdu> T expect(Class<T> type, Pdu p, String what) throws IscsiProtocolException {
        if (!type.isInstance(p)) {
            throw new IscsiProtocolException(description + ": unexpected answer to " + what + ": opcode 0x"
                    + Integer.toHexString(p.opcode()));
        }
        return type.cast(p);
    }

    private static IOException unwrap(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
            return io;
        }
        return new IOException(c);
    }

    // ---------------------------------------------------------------- reading

    private void readLoop() {
        try {
            while (closedBy == null) {
                Pdu p = ch.read(this::placeDataIn);
                dispatch(p);
            }
        } catch (EOFException | ClosedChannelException e) {
            shutdown(new SessionClosedException(description + ": connection closed by "
                    + (loggingOut || closedBy != null ? "logout" : "the target"), e));
        } catch (IOException e) {
            shutdown(new SessionClosedException(description + ": connection failed: " + e.getMessage(), e));
        } catch (PduException e) {
            shutdown(new SessionClosedException(description + ": bad PDU from target: " + e.getMessage(),
                    new IscsiProtocolException(e.getMessage(), e)));
        } catch (IscsiProtocolRuntime e) {
            shutdown(new SessionClosedException(description + ": " + e.getMessage(),
                    new IscsiProtocolException(e.getMessage())));
        } catch (RuntimeException | Error e) {
            shutdown(new SessionClosedException(description + ": reader failed", e));
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
        if (pending.get(h.i32(16)) instanceof PendingCommand c && c.dataIn != null) {
            long offset = h.u32(40);
            if (offset + length <= c.dataIn.capacity()) {
                return c.dataIn.duplicate().limit((int) offset + length).position((int) offset);
            }
        }
        return null;
    }

    private void dispatch(Pdu p) {
        trackSequenceNumbers(p);
        switch (p) {
            case DataIn d -> onDataIn(d);
            case ScsiResponsePdu r -> onResponse(r);
            case R2t r -> onR2t(r);
            case NopIn n -> onNopIn(n);
            case TaskMgmtResponse r -> completeRequest(r.itt(), r);
            case TextResponse r -> completeRequest(r.itt(), r);
            case LogoutResponse r -> completeRequest(r.itt(), r);
            case Reject r -> onReject(r);
            case AsyncMessage a -> onAsync(a);
            default -> throw new IscsiProtocolRuntime("unexpected PDU opcode 0x" + Integer.toHexString(p.opcode())
                    + " in full feature phase");
        }
    }

    /**
     * ExpCmdSN/MaxCmdSN from every PDU that carries them; ExpStatSN advances past every PDU that
     * carries a status (RFC 7143 4.2.2.2). Data-In without S, R2T and NOP-In with the reserved ITT
     * hold the next StatSN without consuming it.
     */
    private void trackSequenceNumbers(Pdu p) {
        switch (p) {
            case DataIn d -> {
                window.update(d.expCmdSn(), d.maxCmdSn());
                if (d.statusPresent()) {
                    advanceStatSn(d.statSn());
                }
            }
            case ScsiResponsePdu r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case R2t r -> window.update(r.expCmdSn(), r.maxCmdSn());
            case NopIn n -> {
                window.update(n.expCmdSn(), n.maxCmdSn());
                if (n.itt() != RESERVED_TAG) {
                    advanceStatSn(n.statSn());
                }
            }
            case TaskMgmtResponse r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case TextResponse r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case LogoutResponse r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case Reject r -> {
                window.update(r.expCmdSn(), r.maxCmdSn());
                advanceStatSn(r.statSn());
            }
            case AsyncMessage a -> {
                window.update(a.expCmdSn(), a.maxCmdSn());
                advanceStatSn(a.statSn());
            }
            case LoginResponse r -> { }
            default -> { }
        }
    }

    private void advanceStatSn(int statSn) {
        expStatSn.accumulateAndGet(statSn + 1, SerialNumber::max);
    }

    private void onDataIn(DataIn d) {
        if (!(pending.get(d.itt()) instanceof PendingCommand c)) {
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
            complete(c, new CommandResult(d.status(), new byte[0], resultData(c),
                    (d.residualFlags() & ScsiResponsePdu.OVERFLOW) != 0,
                    (d.residualFlags() & ScsiResponsePdu.UNDERFLOW) != 0, d.residual()));
        }
    }

    private void onResponse(ScsiResponsePdu r) {
        if (!(pending.get(r.itt()) instanceof PendingCommand c)) {
            return;
        }
        if (r.response() != 0) {
            if (pending.remove(c.itt, c)) {
                c.future.completeExceptionally(new IOException(description + ": target failure (iSCSI response 0x"
                        + Integer.toHexString(r.response()) + ") for task 0x" + Integer.toHexString(c.itt)));
            }
            return;
        }
        complete(c, new CommandResult(r.status(), r.sense(), resultData(c),
                (r.flags() & ScsiResponsePdu.OVERFLOW) != 0, (r.flags() & ScsiResponsePdu.UNDERFLOW) != 0,
                r.residual()));
    }

    private static ByteBuffer resultData(PendingCommand c) {
        if (c.dataIn == null) {
            return ByteBuffer.allocate(0);
        }
        return c.dataIn.duplicate().position(0).limit(c.receivedEnd).slice();
    }

    private void complete(PendingCommand c, CommandResult result) {
        if (pending.remove(c.itt, c)) {
            c.future.complete(result);
        }
    }

    private void onR2t(R2t r) {
        if (!(pending.get(r.itt()) instanceof PendingCommand c)) {
            return;
        }
        long end = r.bufferOffset() + r.desiredLength();
        if (r.desiredLength() == 0 || end > c.dataOutLength()) {
            throw new IscsiProtocolRuntime("R2T for task 0x" + Integer.toHexString(r.itt()) + " asks for offset "
                    + r.bufferOffset() + " length " + r.desiredLength() + " beyond its " + c.dataOutLength()
                    + " bytes");
        }
        if (c.offer(r)) {
            Thread.ofVirtual().name("iscsi-r2t").start(() -> drainR2ts(c));
        }
    }

    private void drainR2ts(PendingCommand c) {
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

    private void onNopIn(NopIn n) {
        if (n.itt() != RESERVED_TAG) {
            completeRequest(n.itt(), n);
        }
        if (n.ttt() != RESERVED_TAG) {
            // RFC 7143 11.18: answer a target ping with a NOP-Out echoing TTT, LUN and data.
            ByteBuffer data = n.data();
            Thread.ofVirtual().name("iscsi-nop-reply").start(() -> {
                try {
                    sendImmediate(cmdSn -> new NopOut(true, n.lun(), RESERVED_TAG, n.ttt(), cmdSn, expStatSn.get(),
                            data), null);
                } catch (IOException e) {
                    log.debug("{}: NOP-Out reply failed: {}", description, e.toString());
                }
            });
        }
    }

    private void completeRequest(int itt, Pdu p) {
        Object o = pending.get(itt);
        if (o instanceof CompletableFuture<?> f && pending.remove(itt, o)) {
            @SuppressWarnings("unchecked")
            CompletableFuture<Pdu> g = (CompletableFuture<Pdu>) f;
            g.complete(p);
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
        Object o = itt == RESERVED_TAG ? null : pending.remove(itt);
        switch (o) {
            case PendingCommand c -> c.future.completeExceptionally(e);
            case CompletableFuture<?> f -> f.completeExceptionally(e);
            case null, default -> log.debug("{}", e.getMessage());
        }
    }

    private void onAsync(AsyncMessage a) {
        // RFC 7143 11.9.1: event 1 asks us to log out; 2 and 3 announce the target dropping
        // connections; the reader sees the close either way.
        log.info("{}: asynchronous message event {} (vcode {})", description, a.event(), a.vcode());
        if (a.event() == 1 && !loggingOut) {
            Thread.ofVirtual().name("iscsi-async-logout").start(() -> {
                try {
                    logout();
                } catch (IOException e) {
                    log.debug("{}: requested logout failed: {}", description, e.toString());
                }
            });
        }
    }

    // ---------------------------------------------------------------- teardown

    private void shutdown(IOException cause) {
        synchronized (this) {
            if (closedBy != null) {
                return;
            }
            closedBy = cause;
        }
        window.close(cause);
        closeQuietly(socket);
        for (Object o : pending.values()) {
            SessionClosedException e = new SessionClosedException(cause.getMessage(), cause.getCause());
            switch (o) {
                case PendingCommand c -> {
                    if (pending.remove(c.itt, c)) {
                        c.future.completeExceptionally(e);
                    }
                }
                case CompletableFuture<?> f -> {
                    pending.values().remove(f);
                    f.completeExceptionally(e);
                }
                default -> { }
            }
        }
        if (Thread.currentThread() != reader && reader.isAlive()) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(SocketChannel sc) {
        try {
            sc.close();
        } catch (IOException ignored) {
            // already broken
        }
    }

    @Override
    public String toString() {
        return "IscsiSession[" + description + "]";
    }
}
