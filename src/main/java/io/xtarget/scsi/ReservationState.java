package io.xtarget.scsi;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reservation state of one logical unit as an immutable value: the SPC-2 RESERVE holder and
 * the persistent reservation state of SPC-4 5.12 (registrations, reservation, PRGENERATION,
 * APTPL). {@link ReservationRules} computes each command's new state; a {@link ReservationLedger}
 * keeps the current one, in memory or in the storage cluster. I_T nexuses are compared as
 * {@link Nexus#equals} does (initiator port and target port, relative port identifier included),
 * so the same initiator port through two gateways of one LU is two I_T nexuses.
 *
 * @param spc2Holder the I_T nexus holding an SPC-2 reservation, or null
 * @param registrations registered I_T nexuses in the order they registered
 * @param generation PRGENERATION (SPC-4 6.15.2), 32 bits, wrapping
 * @param type the persistent reservation's type, or null when there is none
 * @param holder the I_T nexus holding the persistent reservation; null without one or for an
 *     all-registrants type (every registrant holds it)
 * @param aptpl the APTPL bit of the last successful REGISTER (SPC-4 5.12.5), reported as PTPL_A
 * @param sequence how many changes a shared ledger has made ({@link #logged}); 0 in memory
 * @param recent the unit attentions of the last {@link #LOG_CHANGES} shared changes, oldest first,
 *     for the gateways that did not make them
 */
public record ReservationState(Nexus spc2Holder, List<Registration> registrations, int generation,
        ReservationType type, Nexus holder, boolean aptpl, long sequence, List<LoggedAttention> recent) {
    /** How many changes' unit attentions {@link #recent} keeps. */
    public static final int LOG_CHANGES = 32;

    /** Nothing reserved, nobody registered. */
    public static final ReservationState EMPTY = new ReservationState(null, List.of(), 0, null, null, false, 0,
            List.of());

    /** One registered I_T nexus and its reservation key. */
    public record Registration(Nexus nexus, long key) {
        public Registration {
            Objects.requireNonNull(nexus, "nexus");
        }
    }

    /**
     * A unit attention condition to establish for one I_T nexus (SPC-4 5.12.11, table 65).
     *
     * @param abortTasks whether the nexus's tasks on the LU are aborted too (PREEMPT AND ABORT,
     *     SPC-4 5.12.11.2.6)
     */
    public record Attention(Nexus nexus, Sense sense, boolean abortTasks) {
        public Attention(Nexus nexus, Sense sense) {
            this(nexus, sense, false);
        }
    }

    /** An {@link Attention} of shared change number {@code sequence}. */
    public record LoggedAttention(long sequence, Nexus nexus, Sense sense, boolean abortTasks) {}

    public ReservationState {
        registrations = List.copyOf(registrations);
        recent = List.copyOf(recent);
    }

    /** Whether a persistent reservation exists. */
    public boolean reserved() {
        return type != null;
    }

    /** The registration of {@code nexus}, or null. */
    public Registration registration(Nexus nexus) {
        for (Registration r : registrations) {
            if (r.nexus().equals(nexus)) {
                return r;
            }
        }
        return null;
    }

    /** Whether this registration holds the reservation (every registrant does for all-registrants types). */
    public boolean isHolder(Registration r) {
        return type != null && (type.allRegistrants() || r.nexus().equals(holder));
    }

    /** The RESERVATION KEY READ RESERVATION reports: the holder's key, 0 for all-registrants types. */
    public long reservationKey() {
        if (type == null || type.allRegistrants() || holder == null) {
            return 0;
        }
        Registration r = registration(holder);
        return r == null ? 0 : r.key();
    }

    /** The TYPE code of the reservation, 0 without one. */
    public int typeCode() {
        return type == null ? 0 : type.code();
    }

    ReservationState withSpc2Holder(Nexus n) {
        return new ReservationState(n, registrations, generation, type, holder, aptpl, sequence, recent);
    }

    ReservationState withRegistrations(List<Registration> r, boolean bumpGeneration) {
        return new ReservationState(spc2Holder, r, bumpGeneration ? generation + 1 : generation, type, holder, aptpl,
                sequence, recent);
    }

    ReservationState withReservation(ReservationType t, Nexus h) {
        return new ReservationState(spc2Holder, registrations, generation, t, t == null ? null : h, aptpl, sequence,
                recent);
    }

    ReservationState withAptpl(boolean a) {
        return new ReservationState(spc2Holder, registrations, generation, type, holder, a, sequence, recent);
    }

    /**
     * This state as shared change number {@code sequence + 1}, its unit attentions appended to
     * {@link #recent} (the oldest changes' dropped beyond {@link #LOG_CHANGES}).
     */
    public ReservationState logged(List<Attention> attentions) {
        long next = sequence + 1;
        List<LoggedAttention> log = new ArrayList<>();
        for (LoggedAttention a : recent) {
            if (a.sequence() > next - LOG_CHANGES) {
                log.add(a);
            }
        }
        for (Attention a : attentions) {
            log.add(new LoggedAttention(next, a.nexus(), a.sense(), a.abortTasks()));
        }
        return new ReservationState(spc2Holder, registrations, generation, type, holder, aptpl, next, log);
    }

    /** Whether this state reserves or registers the same as {@code o} (sequence and log aside). */
    public boolean sameReservations(ReservationState o) {
        return Objects.equals(spc2Holder, o.spc2Holder) && registrations.equals(o.registrations)
                && generation == o.generation && type == o.type && Objects.equals(holder, o.holder) && aptpl == o.aptpl;
    }
}
