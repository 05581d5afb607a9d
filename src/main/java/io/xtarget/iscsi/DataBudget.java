package io.xtarget.iscsi;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the command data the server holds: Data-Out being collected and Data-In waiting to be
 * sent, per session and for the whole server. A command reserves its expected data transfer
 * length before the target asks for its data (R2T) or produces it (a read); a reservation that
 * does not fit waits, in order, until other commands give theirs back. Data the initiator may
 * send unasked (immediate data and the unsolicited burst, at most FirstBurstLength per command)
 * is {@linkplain #force forced}: it is counted, never refused.
 *
 * <p>Only reservations make a command wait for another: a session that holds no reservation
 * may always take one when no session holds any either, however large, so a command never
 * waits for a bound smaller than itself, and commands that wait while holding only forced bytes
 * can never block each other. Each bound is logged once when it is first hit.
 */
final class DataBudget {
    private static final Logger log = LoggerFactory.getLogger(DataBudget.class);

    /** A session's share: what it reserved and was forced to hold, and its own limit. */
    final class Account {
        private final long limit;
        private long reserved;
        private long forced;
        private final AtomicBoolean loggedLimit = new AtomicBoolean();

        private Account(long limit) {
            this.limit = limit;
        }

        /** Takes {@code bytes} when both this session's and the server's bound allow it. */
        boolean tryReserve(long bytes) {
            synchronized (DataBudget.this) {
                if (reserved > 0 && reserved + forced + bytes > limit) {
                    if (loggedLimit.compareAndSet(false, true)) {
                        log.info("a session reached its data limit of {} MiB; its further commands wait",
                                limit >> 20);
                    }
                    return false;
                }
                if (reservedAll > 0 && reservedAll + forcedAll + bytes > serverLimit) {
                    if (!loggedServerLimit) {
                        loggedServerLimit = true;
                        log.warn("the server reached its data limit of {} MiB; commands wait for buffers",
                                serverLimit >> 20);
                    }
                    return false;
                }
                reserved += bytes;
                reservedAll += bytes;
                return true;
            }
        }

        /** Reserves without checking the bounds: only to break a wait that could never end. */
        void reserveAnyway(long bytes) {
            synchronized (DataBudget.this) {
                reserved += bytes;
                reservedAll += bytes;
            }
        }

        /** Counts bytes that arrive unasked; never refused. */
        void force(long bytes) {
            synchronized (DataBudget.this) {
                forced += bytes;
                forcedAll += bytes;
            }
        }

        /** Gives back reserved and forced bytes and lets waiting sessions try again. */
        void release(long reservedBytes, long forcedBytes) {
            if (reservedBytes <= 0 && forcedBytes <= 0) {
                return;
            }
            synchronized (DataBudget.this) {
                reserved -= reservedBytes;
                reservedAll -= reservedBytes;
                forced -= forcedBytes;
                forcedAll -= forcedBytes;
            }
            wakeWaiters();
        }

        long held() {
            synchronized (DataBudget.this) {
                return reserved + forced;
            }
        }
    }

    private final long sessionLimit;
    private final long serverLimit;
    private long reservedAll;
    private long forcedAll;
    private boolean loggedServerLimit;
    /** Sessions with a command waiting for a reservation, told when bytes come back. */
    private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();

    DataBudget(long sessionLimit, long serverLimit) {
        this.sessionLimit = sessionLimit;
        this.serverLimit = serverLimit;
    }

    Account newAccount() {
        return new Account(sessionLimit);
    }

    synchronized long used() {
        return reservedAll + forcedAll;
    }

    /**
     * Runs {@code retry} once, the next time any bytes are given back; at once when no
     * reservation is held any more (the bytes that refused a reservation may have come back
     * between the refusal and this call, and then no release would ever come).
     */
    void whenReleased(Runnable retry) {
        synchronized (this) {
            if (reservedAll > 0) {
                waiters.add(retry);
                return;
            }
        }
        retry.run();
    }

    private void wakeWaiters() {
        Runnable[] wake;
        synchronized (this) {
            if (waiters.isEmpty()) {
                return;
            }
            wake = waiters.toArray(Runnable[]::new);
            waiters.clear();
        }
        for (Runnable r : wake) {
            r.run();
        }
    }
}
