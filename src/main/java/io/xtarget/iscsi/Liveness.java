package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.Pdu;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a connection in full feature phase still moves, judged once a second by the server's
 * timer ({@link #tick}): pings an idle initiator (NOP-In) and drops the connection when a ping
 * goes unanswered, when queued output has not drained for the send timeout, or when Data-Out it
 * asked for stopped coming (ERL 0 cannot recover either). Time is passed in, so tests drive it.
 */
final class Liveness {
    /** Logged under {@link Connection}'s name, as the connection's own lines are. */
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    private final Outbox outbox;
    /** Ends the connection, with the reason ({@link Connection#terminate}). */
    private final Consumer<String> drop;
    /** Writes what is queued from the timer's thread ({@link Connection#flushOrDrop}). */
    private final Runnable flush;
    private volatile long lastReceive;
    private volatile int pendingPingTtt = Connection.RESERVED_TAG;
    private volatile long pingSentAt;
    private int nextPing;

    /** @param now when the connection was accepted: the idle time counts from there */
    Liveness(Outbox outbox, Consumer<String> drop, Runnable flush, long now) {
        this.outbox = outbox;
        this.drop = drop;
        this.flush = flush;
        this.lastReceive = now;
    }

    /** Bytes arrived from the initiator. */
    void received(long now) {
        lastReceive = now;
    }

    /** A NOP-Out answered the ping with this target transfer tag. */
    void pingAnswered(int ttt) {
        if (ttt == pendingPingTtt) {
            pendingPingTtt = Connection.RESERVED_TAG;
        }
    }

    /** The once-a-second check of a connection in full feature phase (see the class comment). */
    void tick(IscsiServer.Options o, Session s, CommandScheduler scheduler, long now) {
        if (outbox.stalledFor(now) > o.sendTimeoutMillis() * 1_000_000L) {
            log.warn("{}: {} queued bytes not read by the initiator for {} ms; dropping the connection", s,
                    outbox.queuedBytes(), o.sendTimeoutMillis());
            drop.accept("send timeout");
            return;
        }
        if (scheduler.dataOutOverdue(now, IscsiServer.DATA_OUT_TIMEOUT_NANOS)) {
            log.warn("{}: Data-Out asked for by R2T did not arrive within {} s; dropping the connection", s,
                    IscsiServer.DATA_OUT_TIMEOUT_NANOS / 1_000_000_000L);
            drop.accept("Data-Out timeout");
            return;
        }
        if (pendingPingTtt != Connection.RESERVED_TAG) {
            if (now - pingSentAt > o.nopTimeoutSeconds() * 1_000_000_000L) {
                drop.accept("NOP-In ping not answered");
            }
            return;
        }
        if (now - lastReceive < o.nopIntervalSeconds() * 1_000_000_000L) {
            return;
        }
        int ttt;
        synchronized (this) {
            ttt = 0x7F000000 | (nextPing++ & 0xFFFFFF);
        }
        pingSentAt = now;
        pendingPingTtt = ttt;
        outbox.send(new NopIn(0, Connection.RESERVED_TAG, ttt, 0, 0, 0, Pdu.EMPTY), Outbox.StatSn.CURRENT, null);
        flush.run();
    }
}
