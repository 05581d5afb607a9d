package io.xtarget.scsi;

import io.xtarget.backend.Store;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a logical unit can still keep its durability promises. A failed flush (SYNCHRONIZE
 * CACHE, a FUA write, a write with the write cache disabled) means data the initiator was told
 * is written may never reach the medium: Linux reports a writeback error to fsync once and may
 * drop the pages it could not write, so a later fsync can succeed although the data is gone.
 * The first such failure moves the LU to {@link State#FAILED}, logged once at ERROR; from then on
 * every write, UNMAP and flush is refused ({@link LogicalUnitFailedException}) until an
 * administrator {@linkplain #enable enables} it again. A later successful flush does not clear
 * it, and neither does a reload that leaves the backstore's enable count alone. Reads keep
 * working: they return what the store holds, which may include writes that were never made
 * durable.
 */
public final class LuHealth {
    private static final Logger log = LoggerFactory.getLogger(LuHealth.class);

    public enum State {
        /** Writes and flushes go to the store. */
        HEALTHY,
        /** A flush failed: writes and flushes are refused until an administrator enables the LU. */
        FAILED
    }

    /** Why and when the LU failed. */
    public record Failure(Instant at, String cause) {}

    private final String name;
    /** The LU's store now (a restored image replaces a missing one), named in log lines. */
    private final Supplier<Store> store;
    private final LongAdder flushFailures = new LongAdder();
    /** Null while healthy; the state is derived from it, so the two can never disagree. */
    private volatile Failure failure;
    /** The highest enable count an administrator has given (config {@code enableCount}); guarded by this. */
    private long enableCount;

    LuHealth(String name, Supplier<Store> store) {
        this.name = name;
        this.store = store;
    }

    public State state() {
        return failure == null ? State.HEALTHY : State.FAILED;
    }

    /** The failure that moved the LU to FAILED, or null while it is healthy. */
    public Failure failure() {
        return failure;
    }

    /** Every failed flush since the server started, including those that happened while failed. */
    public long flushFailures() {
        return flushFailures.sum();
    }

    /** Throws when the LU is failed: nothing may be written or flushed. */
    void requireHealthy() throws LogicalUnitFailedException {
        Failure f = failure;
        if (f != null) {
            throw new LogicalUnitFailedException("backstore " + name + " is failed since " + f.at() + " (" + f.cause()
                    + "); writes and flushes are refused until it is enabled again");
        }
    }

    /** A flush of the store failed: counted, and the LU fails (logged once at ERROR). */
    synchronized void flushFailed(IOException cause) {
        flushFailures.increment();
        if (failure != null) {
            return;
        }
        failure = new Failure(Instant.now(), String.valueOf(cause.getMessage()));
        log.error("backstore {} ({}): flush failed: {}. Data written since the last successful flush may be lost;"
                + " the logical unit is now FAILED: writes and flushes are refused (HARDWARE ERROR 44h/00h),"
                + " reads still work. Check the storage, then run `xtarget backstore enable {}` and reload"
                + " (SIGHUP)", name, store.get(), cause.getMessage(), name);
    }

    /**
     * An administrator's enable count (config {@code enableCount}, raised by {@code xtarget
     * backstore enable}). When it is higher than any count seen before and the LU is failed, the
     * LU is healthy again; an unchanged count (any other reload) changes nothing.
     *
     * @return true when this returned a failed LU to service
     */
    public synchronized boolean enable(long count) {
        if (count <= enableCount) {
            return false;
        }
        enableCount = count;
        Failure f = failure;
        if (f == null) {
            return false;
        }
        log.warn("backstore {} ({}): enabled by the administrator after a failed flush at {}; writes and flushes"
                + " go to the store again", name, store.get(), f.at());
        failure = null;
        return true;
    }
}
