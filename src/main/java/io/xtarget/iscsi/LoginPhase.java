package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduChannel;
import io.xtarget.iscsi.pdu.PduException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one connection's login phase on its (virtual) thread: blocking reads ({@link
 * PduChannel}) that answer an over-long login PDU instead of resetting, the first PDU, then the
 * {@link Login}. A refused login is logged and made to end cleanly: FIN after the Login Response,
 * and what the initiator already sent is drained, so the caller's close sends no RST.
 */
final class LoginPhase {
    /** Logged under {@link Connection}'s name, as the connection's own lines are. */
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    /** A login that completed: its session, and the StatSN full feature phase goes on with. */
    record Established(Session session, int statSn) {}

    private LoginPhase() {}

    /**
     * Runs the login on {@code socket} (blocking) until {@code deadline} (System.nanoTime()):
     * the established session, or null once a refused login was answered and half-closed (or
     * the first PDU was no login request). The caller closes the socket in every case but success.
     */
    static Established run(IscsiServer server, Portal portal, SocketChannel socket, String remote, long deadline)
            throws IOException, PduException {
        PduChannel channel = new PduChannel(socket);
        // RFC 7143 13.12: login PDUs carry at most the default 8192 bytes; a longer one is
        // dropped unread and answered, not a reason to reset the connection.
        channel.setDiscardOversized(true);
        Login login = new Login(server, portal, channel, 1, peerOf(socket), deadline);
        Session s;
        try {
            Pdu first = channel.read();
            if (!(first instanceof LoginRequest lr)) {
                log.info("{}: first PDU is not a login request; closing", remote);
                return null;
            }
            s = login.run(lr);
        } catch (PduException e) {
            login.refuseOversized(e);
            s = null;
        }
        if (s == null) {
            if (login.refusedByThrottle()) {
                log.debug("login refused from {} ({}): {}", remote, login.initiatorName(), login.refusal());
            } else {
                log.info("login refused from {} ({}): {}", remote,
                        login.initiatorName() == null ? "unknown initiator" : login.initiatorName(),
                        login.refusal());
            }
            halfCloseAndDrain(socket);
            return null;
        }
        return new Established(s, login.statSn());
    }

    /** The initiator's IP address alone (the login throttle's key). */
    private static String peerOf(SocketChannel s) {
        try {
            return s.getRemoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                    ? a.getAddress().getHostAddress() : "?";
        } catch (IOException e) {
            return "?";
        }
    }

    /**
     * After a refused login, before the caller closes: FIN after the Login Response, and whatever
     * the initiator already sent is read and dropped, so closing does not reset the connection (a
     * close with unread bytes sends RST, which can destroy the response before the initiator reads it).
     */
    private static void halfCloseAndDrain(SocketChannel socket) {
        try {
            socket.shutdownOutput();
            socket.configureBlocking(false);
            ByteBuffer sink = ByteBuffer.allocate(8192);
            for (int i = 0; i < 64 && socket.read(sink.clear()) > 0; i++) {
                // drop it
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
