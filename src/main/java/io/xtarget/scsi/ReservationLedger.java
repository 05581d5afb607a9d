package io.xtarget.scsi;

import java.io.IOException;

/**
 * Where a logical unit's {@link ReservationState} lives: in this process
 * ({@link LocalReservationLedger}, the default) or in a store shared by every gateway of the LU
 * ({@link SharedReservationLedger}). {@link Reservations} reads {@link #current} before every
 * command and changes the state only through {@link #apply}.
 */
public interface ReservationLedger extends AutoCloseable {
    /** The state as this process knows it now: cheap, never blocks on I/O. */
    ReservationState current();

    /**
     * Applies {@code transition} to the ledger's current state atomically: no other change, from
     * this process or another gateway, comes between the state it read and the one it wrote.
     * Establishes the change's unit attentions for the I_T nexuses of this process.
     *
     * @return the change made (its state is the ledger's new current state)
     * @throws ScsiException what the transition threw; nothing changed
     * @throws IOException when the shared store cannot be read or written; nothing changed
     */
    ReservationRules.Change apply(ReservationRules.Transition transition) throws ScsiException, IOException;

    /**
     * Whether the state survives a restart of this process, so that APTPL=1 can be honoured
     * (PTPL_C in REPORT CAPABILITIES, SPC-4 6.15.4).
     */
    boolean persistsThroughPowerLoss();

    /** Stops following the shared store; the in-memory ledger has nothing to release. */
    @Override
    default void close() {}
}
