package io.xtarget.scsi;

import io.xtarget.scsi.ReservationState.Attention;
import io.xtarget.scsi.ReservationState.Registration;
import java.util.ArrayList;
import java.util.List;

/**
 * The reservation rules as pure functions of a {@link ReservationState}: SPC-2 RESERVE/RELEASE
 * (SPC-2 5.5.1, 7.21-7.24) and the PERSISTENT RESERVE OUT service actions (SPC-4 5.12, 6.16).
 * Each returns a {@link Change}: the new state, the unit attentions it raises and, for PREEMPT,
 * the I_T nexuses whose registrations it removed; or throws the {@link ScsiException} the command
 * ends with (RESERVATION CONFLICT, INVALID FIELD ..., INVALID RELEASE OF PERSISTENT RESERVATION),
 * leaving the state as it was.
 */
public final class ReservationRules {
    private ReservationRules() {}

    /**
     * What a command changed.
     *
     * @param state the new state ({@code before} itself when nothing changed)
     * @param attentions unit attentions to establish, in order
     * @param preempted I_T nexuses whose registrations PREEMPT removed (the preempter's own among
     *     them when it preempted its own key); empty for other actions
     */
    public record Change(ReservationState state, List<Attention> attentions, List<Nexus> preempted) {
        public Change {
            attentions = List.copyOf(attentions);
            preempted = List.copyOf(preempted);
        }

        static Change to(ReservationState s) {
            return new Change(s, List.of(), List.of());
        }

        /** This PREEMPT as PREEMPT AND ABORT: the preempted nexuses' attentions abort their tasks too. */
        public Change abortingPreempted() {
            List<Attention> marked = new ArrayList<>();
            for (Attention a : attentions) {
                marked.add(preempted.contains(a.nexus()) ? new Attention(a.nexus(), a.sense(), true) : a);
            }
            return new Change(state, marked, preempted);
        }
    }

    /** A transition a ledger applies to its current state. */
    @FunctionalInterface
    public interface Transition {
        Change apply(ReservationState current) throws ScsiException;
    }

    /** True when a command with this access, from this nexus, must get RESERVATION CONFLICT. */
    public static boolean conflicts(ReservationState s, Nexus nexus, MediumAccess access) {
        if (access == MediumAccess.NONE || (s.spc2Holder() == null && s.type() == null)) {
            return false; // nothing reserved: the common case, decided without comparing nexuses
        }
        if (s.spc2Holder() != null && !s.spc2Holder().equals(nexus)) {
            return true; // SPC-2 5.5.1: everything but the few commands marked NONE conflicts
        }
        ReservationType type = s.type();
        if (type == null || nexus.equals(s.holder())) {
            return false;
        }
        // SPC-4 5.12.2 / table 64: registrants of RO and AR types have full access; everyone else
        // (including registered non-holders of WE/EA) may only read, and only under write exclusive.
        if ((type.registrantsOnly() || type.allRegistrants()) && s.registration(nexus) != null) {
            return false;
        }
        return switch (access) {
            case NONE, STATUS -> false;
            case READ -> type.exclusiveAccess();
            case CONTROL, WRITE -> true;
        };
    }

    /** Whether an SPC-2 reservation is held by an I_T nexus other than this one. */
    public static boolean reservedByOther(ReservationState s, Nexus nexus) {
        return s.spc2Holder() != null && !s.spc2Holder().equals(nexus);
    }

    // ---- SPC-2 ----

    /**
     * SPC-2 RESERVE(6/10): RESERVATION CONFLICT when another I_T nexus holds the unit or, per
     * SPC-4 5.12.3, when any I_T nexus is registered for persistent reservations.
     */
    public static Change spc2Reserve(ReservationState s, Nexus nexus) throws ScsiException {
        if (!s.registrations().isEmpty() || reservedByOther(s, nexus)) {
            throw ScsiException.reservationConflict();
        }
        return Change.to(nexus.equals(s.spc2Holder()) ? s : s.withSpc2Holder(nexus));
    }

    /**
     * SPC-2 RELEASE(6/10): releases only the caller's own reservation (from another nexus it
     * changes nothing); RESERVATION CONFLICT while persistent reservation registrations exist.
     */
    public static Change spc2Release(ReservationState s, Nexus nexus) throws ScsiException {
        if (!s.registrations().isEmpty()) {
            throw ScsiException.reservationConflict();
        }
        return Change.to(nexus.equals(s.spc2Holder()) ? s.withSpc2Holder(null) : s);
    }

    /** I_T nexus loss releases its SPC-2 reservation (SPC-2 5.5.1); persistent ones survive. */
    public static Change nexusLost(ReservationState s, Nexus nexus) {
        return Change.to(nexus.equals(s.spc2Holder()) ? s.withSpc2Holder(null) : s);
    }

    /** LUN reset: releases the SPC-2 reservation; persistent reservations survive (SPC-4 5.12.1). */
    public static Change reset(ReservationState s) {
        return Change.to(s.spc2Holder() == null ? s : s.withSpc2Holder(null));
    }

    // ---- persistent reservations ----

    private static Registration checkRegistered(ReservationState s, Nexus nexus, long reservationKey)
            throws ScsiException {
        Registration r = s.registration(nexus);
        if (r == null || r.key() != reservationKey) {
            throw ScsiException.reservationConflict();
        }
        return r;
    }

    /**
     * REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-4 5.12.7, 5.12.11.2): registers,
     * changes or (service action key 0) removes this nexus's key; {@code aptpl} becomes the
     * state's APTPL when the command changes anything.
     */
    public static Change register(ReservationState s, Nexus nexus, long reservationKey, long serviceActionKey,
            boolean ignoreExisting, boolean aptpl) throws ScsiException {
        Registration r = s.registration(nexus);
        if (r == null) {
            if (!ignoreExisting && reservationKey != 0) {
                throw ScsiException.reservationConflict();
            }
            if (serviceActionKey == 0) {
                return Change.to(s); // nothing to register, generation unchanged
            }
            List<Registration> regs = new ArrayList<>(s.registrations());
            regs.add(new Registration(nexus, serviceActionKey));
            return Change.to(s.withRegistrations(regs, true).withAptpl(aptpl));
        }
        if (!ignoreExisting && r.key() != reservationKey) {
            throw ScsiException.reservationConflict();
        }
        if (serviceActionKey == 0) {
            Change c = unregister(s, nexus);
            return new Change(c.state().withAptpl(aptpl), c.attentions(), List.of());
        }
        List<Registration> regs = new ArrayList<>(s.registrations());
        regs.set(regs.indexOf(r), new Registration(r.nexus(), serviceActionKey));
        return Change.to(s.withRegistrations(regs, true).withAptpl(aptpl));
    }

    /** Removes a registration and the reservation it held (SPC-4 5.12.11.2.x); PRGENERATION grows. */
    private static Change unregister(ReservationState s, Nexus me) {
        List<Registration> regs = new ArrayList<>(s.registrations());
        regs.removeIf(r -> r.nexus().equals(me));
        ReservationState next = s.withRegistrations(regs, true);
        ReservationType type = s.type();
        if (type == null) {
            return Change.to(next);
        }
        if (type.allRegistrants()) {
            return Change.to(regs.isEmpty() ? next.withReservation(null, null) : next);
        }
        if (me.equals(s.holder())) {
            next = next.withReservation(null, null);
            List<Attention> ua = type.registrantsOnly()
                    ? toRegistrants(next, UnitAttentions.RESERVATIONS_RELEASED, null) : List.of();
            return new Change(next, ua, List.of());
        }
        return Change.to(next);
    }

    /** RESERVE (SPC-4 5.12.9); {@code type} is valid (the caller checked the TYPE code). */
    public static Change reserve(ReservationState s, Nexus nexus, long reservationKey, ReservationType type)
            throws ScsiException {
        checkRegistered(s, nexus, reservationKey);
        if (s.type() != null) {
            boolean isHolder = s.type().allRegistrants() || nexus.equals(s.holder());
            if (!isHolder || s.type() != type) {
                throw ScsiException.reservationConflict();
            }
            return Change.to(s);
        }
        return Change.to(s.withReservation(type, type.allRegistrants() ? null : nexus));
    }

    /** RELEASE (SPC-4 5.12.11.2.2); {@code type} is valid (the caller checked the TYPE code). */
    public static Change release(ReservationState s, Nexus nexus, long reservationKey, ReservationType type)
            throws ScsiException {
        checkRegistered(s, nexus, reservationKey);
        ReservationType was = s.type();
        if (was == null || !(was.allRegistrants() || nexus.equals(s.holder()))) {
            return Change.to(s); // not the holder: GOOD, no change
        }
        if (type != was) {
            throw new ScsiException(Sense.illegal(0x26, 0x04)); // INVALID RELEASE OF PERSISTENT RESERVATION
        }
        ReservationState next = s.withReservation(null, null);
        List<Attention> ua = was.registrantsOnly() || was.allRegistrants()
                ? toRegistrants(next, UnitAttentions.RESERVATIONS_RELEASED, nexus) : List.of();
        return new Change(next, ua, List.of());
    }

    /** CLEAR (SPC-4 5.12.11.2.6): drops the reservation and every registration. */
    public static Change clear(ReservationState s, Nexus nexus, long reservationKey) throws ScsiException {
        checkRegistered(s, nexus, reservationKey);
        List<Attention> ua = toRegistrants(s, UnitAttentions.RESERVATIONS_PREEMPTED, nexus);
        return new Change(s.withRegistrations(List.of(), true).withReservation(null, null), ua, List.of());
    }

    /**
     * PREEMPT and PREEMPT AND ABORT (SPC-4 5.12.11.4): removes the registrations holding
     * {@code serviceActionKey} (moving the reservation when the holder is among them) with
     * REGISTRATIONS PREEMPTED for them; the caller aborts their tasks for PREEMPT AND ABORT.
     *
     * @param newType the TYPE code of the CDB, checked only where the reservation is taken
     */
    public static Change preempt(ReservationState s, Nexus nexus, long reservationKey, long serviceActionKey,
            int newType) throws ScsiException {
        checkRegistered(s, nexus, reservationKey);
        List<Attention> ua = new ArrayList<>();
        List<Registration> regs = new ArrayList<>(s.registrations());
        List<Registration> removed;
        ReservationState next;
        ReservationType type = s.type();
        if (type == null) {
            // 5.12.11.4.2: no reservation, only registrations are removed.
            removed = removeWithKey(regs, serviceActionKey, null, true);
            next = afterRemoval(s, regs);
        } else if (type.allRegistrants()) {
            if (serviceActionKey == 0) {
                // 5.12.11.4.4: every other registration goes; the preempter reserves alone.
                ReservationType t = validType(newType);
                removed = new ArrayList<>(regs);
                removed.removeIf(r -> r.nexus().equals(nexus));
                regs.removeAll(removed);
                next = s.withRegistrations(regs, false).withReservation(t, t.allRegistrants() ? null : nexus);
            } else {
                removed = removeWithKey(regs, serviceActionKey, null, true);
                next = afterRemoval(s, regs);
            }
        } else {
            Registration h = s.registration(s.holder());
            if (h != null && h.key() == serviceActionKey) {
                // 5.12.11.4.3: preempting the holder moves the reservation to this nexus.
                ReservationType t = validType(newType);
                removed = removeWithKey(regs, serviceActionKey, nexus, false);
                next = s.withRegistrations(regs, false).withReservation(t, t.allRegistrants() ? null : nexus);
                if (t != type) {
                    ua.addAll(toRegistrants(next, UnitAttentions.RESERVATIONS_RELEASED, nexus));
                }
            } else {
                removed = removeWithKey(regs, serviceActionKey, null, true);
                next = afterRemoval(s, regs);
            }
        }
        List<Nexus> preempted = new ArrayList<>();
        for (Registration r : removed) {
            if (!r.nexus().equals(nexus)) {
                ua.add(new Attention(r.nexus(), UnitAttentions.REGISTRATIONS_PREEMPTED));
            }
            preempted.add(r.nexus());
        }
        return new Change(next.withRegistrations(next.registrations(), true), ua, preempted);
    }

    /** The state with {@code regs} left, its reservation gone if its holder was removed. */
    private static ReservationState afterRemoval(ReservationState s, List<Registration> regs) {
        ReservationState next = s.withRegistrations(regs, false);
        if (s.holder() != null && next.registration(s.holder()) == null) {
            next = next.withReservation(null, null);
        }
        return next;
    }

    /**
     * Removes from {@code regs} the registrations holding {@code key}, except {@code keep}. With
     * {@code mustMatch}, a zero key is INVALID FIELD IN PARAMETER LIST and no match RESERVATION
     * CONFLICT.
     */
    private static List<Registration> removeWithKey(List<Registration> regs, long key, Nexus keep, boolean mustMatch)
            throws ScsiException {
        if (mustMatch && key == 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(8, -1));
        }
        List<Registration> removed = new ArrayList<>();
        for (Registration r : regs) {
            if (r.key() == key && !r.nexus().equals(keep)) {
                removed.add(r);
            }
        }
        if (mustMatch && removed.isEmpty()) {
            throw ScsiException.reservationConflict();
        }
        regs.removeAll(removed);
        return removed;
    }

    private static ReservationType validType(int code) throws ScsiException {
        ReservationType t = ReservationType.of(code);
        if (t == null) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, 3));
        }
        return t;
    }

    /** A unit attention for every registered nexus of {@code s} but {@code except}. */
    private static List<Attention> toRegistrants(ReservationState s, Sense sense, Nexus except) {
        List<Attention> out = new ArrayList<>();
        for (Registration r : s.registrations()) {
            if (!r.nexus().equals(except)) {
                out.add(new Attention(r.nexus(), sense));
            }
        }
        return out;
    }
}
