package io.xtarget.initiator;

import io.xtarget.initiator.TextKeys.Pair;
import io.xtarget.iscsi.pdu.LogoutRequest;
import io.xtarget.iscsi.pdu.LogoutResponse;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One iSCSI session over one TCP connection (RFC 7143), ErrorRecoveryLevel 0.
 *
 * <p>Threads: any number of callers submit commands; one reader thread reads every PDU and
 * dispatches it by Initiator Task Tag; R2Ts and target pings are answered on virtual threads so the
 * reader never blocks on a socket write. If the connection drops, every pending request completes
 * exceptionally with {@link SessionClosedException}.
 *
 * <p>Its parts: {@link Connector} connects and logs in, {@link SessionSender} is the send path
 * (CmdSN order and window, Data-Out), {@link SessionReader} the receive path, {@link RequestTable}
 * keeps the requests by task tag, {@link TextExchange} runs Text Requests; this class is the API and the session's life (logout, close).
 */
public final class IscsiSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);
    private static final int RESERVED_TAG = RequestTable.RESERVED_TAG;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String description;
    private final SocketChannel socket;
    private final NegotiatedParameters params;
    private final InitiatorOptions options;
    private final boolean discovery;
    private final long isid;
    private final int tsih;
    private final CmdSnWindow window;
    private final RequestTable requests;
    private final SessionSender sender;
    private final SessionReader reader;
    private volatile boolean loggingOut;

    private IscsiSession(Connector.Connected c, InitiatorOptions options, boolean discovery) {
        this.description = c.description();
        this.socket = c.socket();
        this.options = options;
        this.discovery = discovery;
        this.isid = c.isid();
        this.params = c.login().parameters();
        this.tsih = c.login().tsih();
        this.window = new CmdSnWindow(c.cmdSn(), c.login().expCmdSn(), c.login().maxCmdSn());
        this.requests = new RequestTable(description);
        SequenceNumbers sequence = new SequenceNumbers(window, c.login().expStatSn());
        this.sender = new SessionSender(description, c.channel(), params, options, window, sequence, requests,
                this::shutdown);
        this.reader = new SessionReader(description, c.channel(), sequence, requests, sender, this::shutdown,
                () -> loggingOut, this::logoutOnRequest);
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
        return Connector.connect(host, port, targetName, o, discovery, c -> {
            IscsiSession s = new IscsiSession(c, o, discovery);
            s.reader.start();
            return s;
        });
    }

    /** The operational parameters the login negotiated. */
    public NegotiatedParameters parameters() {
        return params;
    }

    /** The TSIH the target gave this session. */
    public int tsih() {
        return tsih;
    }

    /** The ISID of this session: 48 bits, type 10b random (RFC 7143 10.12.5). */
    public long isid() {
        return isid;
    }

    /** False once the session ended (logout, close, a dropped connection). */
    public boolean isOpen() {
        return !requests.isClosed();
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
            requests.forget(f);
            throw t;
        } catch (ExecutionException e) {
            throw RequestTable.unwrap(e);
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
            cmd = requests.newCommand(lun, out, dataInLength);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        try {
            sender.sendCommand(cmd, lunField, cdb, dataInLength);
        } catch (IOException e) {
            requests.remove(cmd);
            cmd.future.completeExceptionally(e);
        }
        return cmd.future;
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
        CompletableFuture<Pdu> f = requests.newRequest();
        int itt = requests.ittOf(f);
        sender.sendImmediate(cmdSn -> new NopOut(true, 0, itt, RESERVED_TAG, cmdSn, sender.expStatSn(),
                ByteBuffer.wrap(pingData.clone())), f);
        NopIn in = requests.expect(NopIn.class, requests.await(f, options.commandTimeout(), "NOP ping"),
                "NOP-Out");
        byte[] out = new byte[in.data().remaining()];
        in.data().duplicate().get(out);
        return out;
    }

    /** ABORT TASK for a command of this session (RFC 7143 11.5.1). Returns the TMF response code. */
    public int abortTask(int itt) throws IOException {
        PendingCommand c = requests.command(itt);
        if (c != null && c.sent) {
            return taskManagement(TaskMgmtRequest.ABORT_TASK, c.lun, itt, c.cmdSn);
        }
        return taskManagement(TaskMgmtRequest.ABORT_TASK, 0, itt, sender.currentCmdSn());
    }

    /** ABORT TASK SET for {@code lun}; returns the TMF response code (RFC 7143 11.6.1). */
    public int abortTaskSet(int lun) throws IOException {
        return taskManagement(TaskMgmtRequest.ABORT_TASK_SET, lun, RESERVED_TAG, 0);
    }

    /** CLEAR TASK SET for {@code lun}; returns the TMF response code. */
    public int clearTaskSet(int lun) throws IOException {
        return taskManagement(TaskMgmtRequest.CLEAR_TASK_SET, lun, RESERVED_TAG, 0);
    }

    /** LOGICAL UNIT RESET of {@code lun}; returns the TMF response code. */
    public int lunReset(int lun) throws IOException {
        return taskManagement(TaskMgmtRequest.LOGICAL_UNIT_RESET, lun, RESERVED_TAG, 0);
    }

    /** TARGET WARM RESET; returns the TMF response code. */
    public int targetWarmReset() throws IOException {
        return taskManagement(TaskMgmtRequest.TARGET_WARM_RESET, 0, RESERVED_TAG, 0);
    }

    /** TARGET COLD RESET: once it completes the target drops every session of the target, this one too (RFC 7143 11.5.1). */
    public int targetColdReset() throws IOException {
        return taskManagement(TaskMgmtRequest.TARGET_COLD_RESET, 0, RESERVED_TAG, 0);
    }

    /** The ITT of a command submitted on this session, to pass to {@link #abortTask}; -1 if not pending. */
    public int taskTagOf(CompletableFuture<CommandResult> future) {
        return requests.tagOf(future);
    }

    private int taskManagement(int function, int lun, int refItt, int refCmdSn) throws IOException {
        long lunField = LunField.encode(lun);
        CompletableFuture<Pdu> f = requests.newRequest();
        int itt = requests.ittOf(f);
        int[] tmfCmdSn = new int[1];
        sender.sendImmediate(cmdSn -> {
            tmfCmdSn[0] = cmdSn;
            return new TaskMgmtRequest(true, function, lunField, itt, refItt, cmdSn, sender.expStatSn(), refCmdSn,
                    0);
        }, f);
        TaskMgmtResponse r = requests.expect(TaskMgmtResponse.class,
                requests.await(f, options.commandTimeout(), "task management"), "task management request");
        if (r.response() == TaskMgmtResponse.COMPLETE
                || (function == TaskMgmtRequest.ABORT_TASK && r.response() == TaskMgmtResponse.TASK_DOES_NOT_EXIST)) {
            requests.failAborted(function, lun, refItt, tmfCmdSn[0]);
        }
        return r.response();
    }

    /** SendTargets=All (RFC 7143 Appendix C), following Text Response continuations. */
    public List<DiscoveredTarget> sendTargets() throws IOException {
        byte[] text = new TextExchange(description, requests, sender, options.commandTimeout())
                .run(TextKeys.encode(List.of(new Pair("SendTargets", "All"))));
        return TextExchange.discoveredTargets(text);
    }

    /** Logout with reason "close the session" (RFC 7143 11.14); the connection is closed after. */
    public void logout() throws IOException {
        Throwable closedBy = requests.closedBy();
        if (closedBy != null) {
            throw new SessionClosedException(description + ": session already closed", closedBy);
        }
        loggingOut = true;
        CompletableFuture<Pdu> f = requests.newRequest();
        int itt = requests.ittOf(f);
        try {
            sender.sendImmediate(cmdSn -> new LogoutRequest(true, 0, itt, 0, cmdSn, sender.expStatSn()), f);
            LogoutResponse r = requests.expect(LogoutResponse.class,
                    requests.await(f, options.loginTimeout(), "logout"), "logout request");
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
        if (!requests.isClosed() && !loggingOut) {
            try {
                logout();
            } catch (IOException e) {
                log.debug("{}: logout on close failed: {}", description, e.toString());
            }
        }
        shutdown(new SessionClosedException(description + ": session closed", null));
    }

    // ---------------------------------------------------------------- teardown

    /** Ends the session once, for {@code cause}: window, socket, then every pending request fails. */
    private void shutdown(IOException cause) {
        if (!requests.markClosed(cause)) {
            return;
        }
        window.close(cause);
        Connector.closeQuietly(socket);
        requests.failAll(cause);
        reader.awaitEnd();
    }

    /** Logs out when the target asks for it (AsyncEvent 1). */
    private void logoutOnRequest() {
        try {
            logout();
        } catch (IOException e) {
            log.debug("{}: requested logout failed: {}", description, e.toString());
        }
    }

    @Override
    public String toString() {
        return "IscsiSession[" + description + "]";
    }
}
