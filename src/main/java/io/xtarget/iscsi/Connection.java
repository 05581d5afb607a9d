package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.PduException;
import io.xtarget.iscsi.pdu.PduFramer;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection: reading, writing and life cycle. The login runs on a virtual thread with
 * blocking reads ({@link LoginPhase}); full feature phase runs on a platform thread of its own that
 * reads the non-blocking socket into a buffer, cuts it into PDUs ({@link PduFramer}), hands each
 * to {@link Requests}, runs the quick commands that started ({@link CommandRunner}) and flushes
 * the {@link Outbox}, the only writer of the socket. Other threads reach this thread through its
 * mailbox ({@link #post}); nothing here ever blocks on the initiator except the wait for bytes.
 * Pings and timeouts are {@link Liveness}'s.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    static final int RESERVED_TAG = 0xFFFFFFFF;
    /** Bytes read from the socket at once: several PDUs, or a large data segment's start. */
    private static final int READ_BUFFER = 512 * 1024;
    /** Output not covered by data reservations that one connection may have queued before it stops reading. */
    static final long UNBUDGETED_OUTPUT = 1 << 20;

    private final IscsiServer server;
    private final Portal portal;
    private final SocketChannel socket;
    private final String remote;
    private final long acceptedAt = System.nanoTime();
    private final PduFramer framer = new PduFramer();
    private final Outbox outbox;
    private final Liveness liveness;
    private final ConcurrentLinkedQueue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final java.util.concurrent.CountDownLatch cleanedUp = new java.util.concurrent.CountDownLatch(1);
    private volatile Session session;
    private volatile CommandScheduler scheduler;
    private Requests requests;
    private CommandRunner runner;
    private volatile Selector selector;
    private volatile Thread thread;
    private volatile boolean closed;
    /** Set once cleanup drained the mailbox: later posts run on the posting thread. */
    private volatile boolean mailboxClosed;
    private volatile boolean loggingOut;
    /** This connection formed its session's I_T nexus, so its end is that nexus's loss. */
    private volatile boolean nexusFormed;
    /** Ready operations reported by the last select. */
    private int ready;

    Connection(IscsiServer server, Portal portal, SocketChannel socket) {
        this.server = server;
        this.portal = portal;
        this.socket = socket;
        this.remote = remoteOf(socket);
        this.outbox = new Outbox(socket, this::wake);
        this.liveness = new Liveness(outbox, this::terminate, this::flushOrDrop, acceptedAt);
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

    // ---------------------------------------------------------------- life cycle

    /** The login, on a virtual thread; a session then gets a platform thread of its own. */
    void login() {
        boolean started = false;
        try {
            LoginPhase.Established done = LoginPhase.run(server, portal, socket, remote,
                    acceptedAt + server.options().loginTimeoutSeconds() * 1_000_000_000L);
            if (done == null) {
                return; // refused (answered and half-closed), or no login at all
            }
            startFullFeature(done.session(), done.statSn());
            Thread.ofPlatform().name("iscsi-" + remote).daemon().start(this::serve);
            started = true;
        } catch (EOFException e) {
            log.debug("{}: closed during login", remote);
        } catch (PduException | IOException e) {
            log.info("{}: login failed: {}", remote, e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: internal error during login", remote, e);
        } finally {
            if (!started) {
                if (session != null) {
                    cleanup("login did not complete");
                } else {
                    closeSocket();
                }
            }
        }
    }

    private void startFullFeature(Session s, int nextStatSn) throws IOException {
        SessionParams p = s.params;
        s.account = server.budget().newAccount();
        framer.setDigests(p.headerDigest(), p.dataDigest());
        framer.setMaxRecvDataSegmentLength(p.maxRecvDataSegmentLength());
        outbox.start(nextStatSn, p.headerDigest(), p.dataDigest(), s.window);
        runner = new CommandRunner(this, server.core(), server.workers(), new ResponseWriter(outbox, () -> s.params));
        scheduler = new CommandScheduler(s, server.core(), outbox, server.budget(), runner);
        runner.attach(scheduler);
        requests = new Requests(server, this, s, outbox, scheduler);
        session = s;
        s.connection = this;
        if (s.superseded) {
            // a newer login with the same ISID reinstated this session before it got here (RFC 7143 6.3.5)
            throw new IOException("session reinstated by a newer login");
        }
        socket.configureBlocking(false);
        selector = Selector.open();
        log.info("login: {} from {} via {} (digests {}/{}, burst {}, first burst {}, immediate {}, initialR2T {})",
                s, remote, portal, p.headerDigest() ? "CRC32C" : "None", p.dataDigest() ? "CRC32C" : "None",
                p.maxBurstLength(), p.firstBurstLength(), p.immediateData(), p.initialR2T());
        if (s.nexus != null) {
            server.core().nexusFormed(s.nexus, s.lunMap);
            nexusFormed = true;
        }
        server.register(this);
    }

    /**
     * Full feature phase (RFC 7143 3.2): reads what arrived, dispatches every whole PDU, runs the
     * quick commands, flushes, and waits only when the last read did not fill the buffer.
     */
    private void serve() {
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
                        int want = direct.remaining(); // a large data segment: read it in place
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
                        liveness.received(System.nanoTime());
                    }
                }
                runner.runInline();
                outbox.flush();
                readable = more || closed || await(key);
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

    /** Waits for bytes, for room to write, or for mail; true when the socket is readable. */
    private boolean await(SelectionKey key) throws IOException {
        key.interestOps((backpressured() ? 0 : SelectionKey.OP_READ) | (outbox.isEmpty() ? 0 : SelectionKey.OP_WRITE));
        wakeupPending.set(false);
        if (!mailbox.isEmpty()) {
            return false;
        }
        ready = 0;
        selector.select(k -> ready = k.readyOps(), 1000);
        return (ready & SelectionKey.OP_READ) != 0;
    }

    /**
     * Stops reading new requests while output the initiator has not read holds more than what its
     * commands' data reservations cover plus {@link #UNBUDGETED_OUTPUT}: Data-In is bounded by
     * the data budget, and everything else queued for an initiator that does not read (NOP-In
     * echoes, Text and task management responses, Rejects) by this, per connection.
     */
    private boolean backpressured() {
        long queued = outbox.heldBytes();
        // The budget's lock is shared by every session: asked only when the queue could be over.
        return queued > UNBUDGETED_OUTPUT && queued > session.account.held() + UNBUDGETED_OUTPUT;
    }

    /** Feeds bytes to the framer and hands each whole PDU on. */
    private void feed(ByteBuffer src) throws PduException {
        while (!closed) {
            Pdu pdu;
            try {
                pdu = framer.feed(src, requests);
            } catch (PduException e) {
                if (e.fatal()) {
                    throw e;
                }
                requests.refused(e);
                continue;
            }
            if (pdu == null) {
                return;
            }
            requests.dispatch(pdu);
        }
    }

    boolean onOwnThread() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code r} on this connection's thread between PDUs (at once when the connection is gone). */
    void post(Runnable r) {
        mailbox.add(r);
        if (mailboxClosed) {
            runMailbox();
        } else if (!onOwnThread()) {
            wake();
        }
    }

    private void runMailbox() {
        Runnable r;
        while ((r = mailbox.poll()) != null) {
            r.run();
        }
    }

    /** Wakes this connection's thread from its wait (mail arrived, or output waits for a writable socket). */
    private void wake() {
        if (!onOwnThread() && wakeupPending.compareAndSet(false, true)) {
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }
    }

    /** Flushes from any thread; a broken socket ends the connection. */
    void flushOrDrop() {
        try {
            outbox.flush();
        } catch (IOException e) {
            terminate("send failed: " + e.getMessage());
        }
    }

    /**
     * The initiator logs out (RFC 7143 11.14): the I_T nexus ends now, before the Logout Response
     * reports the cleanup done, so its tasks are aborted and its reservations released (SPC-2
     * 5.5.1, SAM-5 6.3.4) by the time the initiator, or any other, hears of the logout;
     * {@code then} runs once every aborted task has ended (on the thread that ended the last).
     */
    void loggingOut(Runnable then) {
        loggingOut = true;
        log.info("logout: {} from {}", session, remote);
        Session s = session;
        if (s != null && s.nexus != null && nexusFormed) {
            nexusFormed = false; // cleanup must not end it a second time
            server.core().nexusLost(s.nexus, s.lunMap).whenEnded(then);
        } else {
            then.run();
        }
    }

    // ---------------------------------------------------------------- timers

    void pingAnswered(int ttt) {
        liveness.pingAnswered(ttt);
    }

    /** Called every second by the server's timer: {@link Liveness#tick} while in full feature phase. */
    void tick(IscsiServer.Options o) {
        Session s = session;
        if (!closed && s != null) {
            liveness.tick(o, s, scheduler, System.nanoTime());
        }
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
            if (s.nexus != null && nexusFormed) {
                // only a nexus this connection formed: a superseded login's nexus is the newer session's
                server.core().nexusLost(s.nexus, s.lunMap);
            }
            scheduler.close();
            runner.runInline();
            outbox.close();
            runMailbox();
            if (!loggingOut) {
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
        cleanedUp.countDown();
    }

    /** Memory held by output queued for the initiator and not yet written (for tests and status). */
    long queuedOutputBytes() {
        return outbox.heldBytes();
    }

    /** Waits until this connection's cleanup finished; false on timeout. */
    boolean awaitClosed(long seconds) {
        try {
            return cleanedUp.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
