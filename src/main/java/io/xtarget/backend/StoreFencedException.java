package io.xtarget.backend;

import java.io.IOException;
import java.util.Objects;

/**
 * A store that several gateways share ({@link LockOwnership}) refused an operation because this
 * gateway does not own it now, and the operation did not happen: another gateway holds the
 * image's exclusive lock (librbd answers {@code -EROFS} to a write), or another gateway broke this
 * one's lock and blocklisted it ({@code -EBLOCKLISTED}, which is {@code -ESHUTDOWN}, 108, on
 * Linux): the OSDs refuse everything this client sends from then on, so a write in flight when
 * the lock moved never lands. Nothing is lost and the logical unit is not failed; the SCSI core
 * answers NOT READY / LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah),
 * which initiators retry, after checking the paths' states, on the path that owns the LU now.
 */
public final class StoreFencedException extends IOException {
    /** Why this gateway may not use the store. */
    public enum Reason {
        /** Another gateway holds the exclusive lock ({@code -EROFS}). */
        LOCKED_ELSEWHERE,
        /** This gateway's client was blocklisted ({@code -EBLOCKLISTED}): it must reconnect. */
        BLOCKLISTED
    }

    private final Reason reason;

    public StoreFencedException(String message, Reason reason) {
        super(message);
        this.reason = Objects.requireNonNull(reason);
    }

    public Reason reason() {
        return reason;
    }
}
