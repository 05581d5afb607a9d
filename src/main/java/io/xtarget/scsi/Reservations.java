package io.xtarget.scsi;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reservations of one logical unit: SPC-2 RESERVE/RELEASE and SPC-4 persistent reservations
 * (5.12), keyed by I_T nexus. The rules are {@link ReservationRules}; the state lives in a
 * {@link ReservationLedger}: this process's memory by default, or a store every gateway of the LU
 * shares ({@link #useLedger}). The core asks {@link #conflicts} before running any command, so
 * every command set and the copy engine obey reservations the same way. Persistent reservations
 * survive LUN reset and I_T nexus loss, as SPC-4 5.12.1 requires.
 */
public final class Reservations {
    private static final Logger log = LoggerFactory.getLogger(Reservations.class);

    private final String lu;
    private volatile ReservationLedger ledger;

    /**
     * @param lu the LU's name, for logs
     * @param attentions the LU's unit attentions, where changes establish theirs
     */
    public Reservations(String lu, UnitAttentions attentions) {
        this.lu = lu;
        this.ledger = new LocalReservationLedger(attentions);
    }

    /** Keeps the state in {@code shared} from now on (set before the LU is served). */
    public void useLedger(ReservationLedger shared) {
        this.ledger = shared;
    }

    /** Where the state lives now: the in-memory ledger, or the shared one {@link #useLedger} installed. */
    public ReservationLedger ledger() {
        return ledger;
    }

    /** The current state, for PERSISTENT RESERVE IN. */
    public ReservationState status() {
        return ledger.current();
    }

    /** Whether APTPL=1 can be honoured: the ledger keeps the state through a restart. */
    public boolean persistsThroughPowerLoss() {
        return ledger.persistsThroughPowerLoss();
    }

    /** True when a command with this access, from this nexus, must get RESERVATION CONFLICT. */
    public boolean conflicts(Nexus nexus, MediumAccess access) {
        return ReservationRules.conflicts(ledger.current(), nexus, access);
    }

    /** Whether an SPC-2 reservation is held by an I_T nexus other than this one. */
    public boolean reservedByOther(Nexus nexus) {
        return ReservationRules.reservedByOther(ledger.current(), nexus);
    }

    // ---- SPC-2 RESERVE / RELEASE ----

    /** SPC-2 RESERVE(6/10); false for RESERVATION CONFLICT ({@link ReservationRules#spc2Reserve}). */
    public boolean reserve(Nexus nexus) throws IOException {
        try {
            ledger.apply(s -> ReservationRules.spc2Reserve(s, nexus));
            return true;
        } catch (ScsiException e) {
            return false;
        }
    }

    /** SPC-2 RELEASE(6/10); false for RESERVATION CONFLICT ({@link ReservationRules#spc2Release}). */
    public boolean release(Nexus nexus) throws IOException {
        try {
            ledger.apply(s -> ReservationRules.spc2Release(s, nexus));
            return true;
        } catch (ScsiException e) {
            return false;
        }
    }

    /** I_T nexus loss releases its SPC-2 reservation; a shared ledger that fails is logged. */
    public void nexusLost(Nexus nexus) {
        if (nexus.equals(ledger.current().spc2Holder())) {
            quietly("releasing the SPC-2 reservation of " + nexus, s -> ReservationRules.nexusLost(s, nexus));
        }
    }

    /**
     * At start: an SPC-2 reservation a shared ledger holds for a nexus through one of this
     * server's own target ports belongs to a nexus of an earlier run of this server, which ended
     * with it (SPC-2 5.5.1); it is released.
     */
    public void releaseStale(java.util.function.Predicate<TargetPort> ownPort) {
        Nexus holder = ledger.current().spc2Holder();
        if (holder != null && holder.port() != null && ownPort.test(holder.port())) {
            log.info("LU {}: releasing the SPC-2 reservation of {}, a nexus of this server's last run", lu, holder);
            nexusLost(holder);
        }
    }

    /** LUN reset: releases the SPC-2 reservation; persistent reservations survive. */
    public void reset() {
        if (ledger.current().spc2Holder() != null) {
            quietly("releasing the SPC-2 reservation on reset", ReservationRules::reset);
        }
    }

    private void quietly(String what, ReservationRules.Transition t) {
        try {
            ledger.apply(t);
        } catch (ScsiException | IOException e) {
            log.warn("LU {}: {} failed: {}", lu, what, e.getMessage());
        }
    }

    // ---- persistent reservations (SPC-4 5.12, 6.16) ----

    /** REGISTER / REGISTER AND IGNORE EXISTING KEY ({@link ReservationRules#register}). */
    public void register(Nexus nexus, long reservationKey, long serviceActionKey, boolean ignoreExisting,
            boolean aptpl) throws ScsiException, IOException {
        ledger.apply(s -> ReservationRules.register(s, nexus, reservationKey, serviceActionKey, ignoreExisting, aptpl));
    }

    /** RESERVE ({@link ReservationRules#reserve}). */
    public void reserve(Nexus nexus, long reservationKey, ReservationType type) throws ScsiException, IOException {
        ledger.apply(s -> ReservationRules.reserve(s, nexus, reservationKey, type));
    }

    /** RELEASE ({@link ReservationRules#release}). */
    public void release(Nexus nexus, long reservationKey, ReservationType type) throws ScsiException, IOException {
        ledger.apply(s -> ReservationRules.release(s, nexus, reservationKey, type));
    }

    /** CLEAR ({@link ReservationRules#clear}). */
    public void clear(Nexus nexus, long reservationKey) throws ScsiException, IOException {
        ledger.apply(s -> ReservationRules.clear(s, nexus, reservationKey));
    }

    /**
     * PREEMPT and PREEMPT AND ABORT ({@link ReservationRules#preempt}). The caller aborts the
     * preempted nexuses' tasks here; with {@code abort}, other gateways sharing the ledger abort
     * theirs.
     *
     * @return the I_T nexuses whose registrations were removed
     */
    public List<Nexus> preempt(Nexus nexus, long reservationKey, long serviceActionKey, int newType, boolean abort)
            throws ScsiException, IOException {
        return ledger.apply(s -> {
            ReservationRules.Change c = ReservationRules.preempt(s, nexus, reservationKey, serviceActionKey, newType);
            return abort ? c.abortingPreempted() : c;
        }).preempted();
    }

    /** Stops following a shared ledger. */
    public void close() {
        ledger.close();
    }
}
