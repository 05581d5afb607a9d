package io.xtarget.e2e;

import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bare iSCSI connection for tests that must control exactly what goes on the wire (CmdSN
 * values beyond the window, a chosen ISID, an R2T left unanswered): one login PDU straight to
 * full feature phase (RFC 7143 6.3: CSG=1 operational, T=1, NSG=3), then PDUs in and out.
 * Reads block (SocketChannel reads are interruptible, so a JUnit {@code @Timeout} ends a hung test).
 */
public final class RawSession implements AutoCloseable {
    /** Our MaxRecvDataSegmentLength. Keys offered: no digests, ImmediateData=Yes, InitialR2T=Yes. */
    public static final int MAX_RECV = 65536;

    private final SocketChannel socket;
    private final PduChannel ch;
    private final LoginResponse login;
    private int cmdSn;
    private int expStatSn;
    /** A read still running on a helper thread after {@link #read(Duration)} timed out; the next read takes it. */
    private FutureTask<Pdu> pending;

    private RawSession(SocketChannel socket, PduChannel ch, LoginResponse login, int cmdSn) {
        this.socket = socket;
        this.ch = ch;
        this.login = login;
        this.cmdSn = cmdSn;
        this.expStatSn = login.statSn() + 1;
    }

    /** Logs in; returns a session whose {@link #login()} holds the response, successful or not. */
    public static RawSession login(InetSocketAddress target, String targetName, String initiatorName, long isid)
            throws IOException {
        return login(target, targetName, initiatorName, isid, Map.of());
    }

    /**
     * Logs in offering {@code extraKeys} as well (e.g. ImmediateData=No, FirstBurstLength=8192); a key
     * given here replaces the default offer. Check {@link #loginKeys()} for what the target answered.
     */
    public static RawSession login(InetSocketAddress target, String targetName, String initiatorName, long isid,
            Map<String, String> extraKeys) throws IOException {
        SocketChannel sc = SocketChannel.open(target);
        PduChannel ch = new PduChannel(sc);
        ch.setMaxRecvDataSegmentLength(MAX_RECV);
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("InitiatorName", initiatorName);
        keys.put("TargetName", targetName);
        keys.put("SessionType", "Normal");
        keys.put("HeaderDigest", "None");
        keys.put("DataDigest", "None");
        keys.put("ImmediateData", "Yes");
        keys.put("InitialR2T", "Yes");
        keys.put("MaxRecvDataSegmentLength", Integer.toString(MAX_RECV));
        keys.putAll(extraKeys);
        StringBuilder sb = new StringBuilder();
        keys.forEach((k, v) -> sb.append(k).append('=').append(v).append('\0'));
        int cmdSn = 1;
        try {
            ch.write(new LoginRequest(true, false, 1, 3, 0, 0, isid, 0, 0, 0, cmdSn, 0,
                    ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8))));
            Pdu p = ch.read();
            if (!(p instanceof LoginResponse r)) {
                throw new IOException("expected a login response, got " + p);
            }
            return new RawSession(sc, ch, r, cmdSn);
        } catch (IOException | PduException | RuntimeException e) {
            sc.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    public LoginResponse login() {
        return login;
    }

    /** The text keys of the login response (what the target answered to each offer). */
    public Map<String, String> loginKeys() {
        Map<String, String> out = new LinkedHashMap<>();
        String text = StandardCharsets.UTF_8.decode(login.data().duplicate()).toString();
        for (String kv : text.split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return out;
    }

    public boolean loggedIn() {
        return login.statusClass() == 0 && login.transit() && login.nsg() == 3;
    }

    /** The next CmdSN to use, advancing it (for non-immediate PDUs). */
    public int takeCmdSn() {
        return cmdSn++;
    }

    /** The CmdSN an immediate PDU carries (not advanced, RFC 7143 3.2.2.1). */
    public int currentCmdSn() {
        return cmdSn;
    }

    public int expStatSn() {
        return expStatSn;
    }

    public void send(Pdu p) throws IOException {
        ch.write(p);
    }

    /**
     * Writes raw bytes to the socket (e.g. a PDU header and only part of its data segment, or a
     * corrupted digest). The caller keeps the stream well formed, or means not to.
     */
    public void sendBytes(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            socket.write(bytes);
        }
    }

    /** Reads the next PDU; tracks StatSN for {@link #expStatSn()}. */
    public Pdu read() throws IOException {
        if (pending != null) {
            return awaitPending(null);
        }
        try {
            return track(ch.read());
        } catch (PduException e) {
            throw new IOException(e);
        }
    }

    /**
     * Reads the next PDU, or returns null when none arrived within {@code timeout}. The read goes on
     * in the background and the next {@code read} returns its PDU, so no bytes are lost. Throws
     * IOException (EOFException on a clean close) when the target closed the connection.
     */
    public Pdu read(Duration timeout) throws IOException {
        if (pending == null) {
            pending = new FutureTask<>(ch::read);
            Thread.ofVirtual().name("raw-session-read").start(pending);
        }
        return awaitPending(timeout);
    }

    private Pdu awaitPending(Duration timeout) throws IOException {
        try {
            Pdu p = timeout == null ? pending.get() : pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            pending = null;
            return track(p);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            pending = null;
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading");
        }
    }

    private Pdu track(Pdu p) {
        expStatSn = switch (p) {
            case io.xtarget.iscsi.pdu.ScsiResponsePdu r -> r.statSn() + 1;
            case io.xtarget.iscsi.pdu.NopIn n -> n.itt() != -1 ? n.statSn() + 1 : expStatSn;
            case io.xtarget.iscsi.pdu.TaskMgmtResponse t -> t.statSn() + 1;
            default -> expStatSn;
        };
        return p;
    }

    /** Reads PDUs until one of {@code type} arrives (others are skipped) and returns it. */
    public <T extends Pdu> T readUntil(Class<T> type) throws IOException {
        while (true) {
            Pdu p = read();
            if (type.isInstance(p)) {
                return type.cast(p);
            }
        }
    }

    /** TEST UNIT READY until GOOD: a new initiator port first gets POWER ON unit attentions (SPC-4 5.14). */
    public void clearUnitAttentions() throws IOException {
        for (int i = 0; i < 5; i++) {
            send(new io.xtarget.iscsi.pdu.ScsiCommandPdu(false, true, false, false, 1, 0, 0x7F000000 + i, 0,
                    takeCmdSn(), expStatSn, new byte[16], null));
            if (readUntil(io.xtarget.iscsi.pdu.ScsiResponsePdu.class).status() == 0) {
                return;
            }
        }
        throw new IOException("unit attentions did not clear");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
