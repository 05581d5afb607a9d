package io.xtarget.initiator;

import io.xtarget.iscsi.pdu.PduChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a session's connection: TCP connect (connect timeout), a fresh random ISID, the login
 * ({@link LoginExchange}) under a watchdog that closes the socket when it outlasts the login
 * timeout, then the channel set for full feature phase (digests, MaxRecvDataSegmentLength). Any
 * failure closes the socket.
 */
final class Connector {
    /** Logs as the session, whose part it is. */
    private static final Logger log = LoggerFactory.getLogger(IscsiSession.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A logged-in connection, the channel ready for full feature phase. */
    record Connected(String description, SocketChannel socket, PduChannel channel, long isid,
            LoginExchange.Outcome login, int cmdSn) {}

    /** Makes the session of a logged-in connection and starts it; runs before the login counts as done. */
    @FunctionalInterface
    interface Start<S> {
        S start(Connected c);
    }

    private Connector() {}

    /**
     * Connects and logs in; {@code start} makes the session.
     *
     * @param targetName the TargetName to log in to; null for a discovery session
     * @throws IscsiTimeoutException when the login outlasts the options' login timeout
     * @throws LoginException when the target refuses the login
     * @throws IOException when the connection fails
     */
    static <S> S connect(String host, int port, String targetName, InitiatorOptions o, boolean discovery,
            Start<S> start) throws IOException {
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
            S s = start.start(new Connected(description, sc, ch, isid, login, cmdSn));
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

    /** Closes the socket, ignoring a failure (it is broken already). */
    static void closeQuietly(SocketChannel sc) {
        try {
            sc.close();
        } catch (IOException ignored) {
            // already broken
        }
    }
}
