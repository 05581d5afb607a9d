package io.xtarget.scsi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reservation state of one logical unit: SPC-2 RESERVE/RELEASE reservations and SPC-4 persistent
 * reservations (5.12), both keyed by I_T nexus (initiator port name + target port). The core asks
 * {@link #conflicts} before running any command, so every command set and the copy engine obey
 * reservations the same way. Persistent reservations are not persisted across restarts (APTPL is
 * not supported) and survive LUN reset and I_T nexus loss, as SPC-4 5.12.1 requires.
 */
public final class Reservations {
    public static final int WRITE_EXCLUSIVE = 1;
    public static final int EXCLUSIVE_ACCESS = 3;
    public static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 5;
    public static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 6;
    public static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;
    public static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 8;

    /** One registered I_T nexus and its reservation key. */
    public record Registration(Nexus nexus, long key) {}

    /**
     * A consistent copy of the persistent reservation state, for PERSISTENT RESERVE IN.
     *
     * @param generation PRGENERATION
     * @param registrations registrations in the order they were made
     * @param type reservation type, 0 when no persistent reservation exists
     * @param holder the holding I_T nexus, or null (no reservation, or an all-registrants type)
     */
    public record Status(int generation, List<Registration> registrations, int type, String holder) {
        public boolean reserved() {
            return type != 0;
        }

        /** Whether this registration holds the reservation (every registrant does for all-registrants types). */
        public boolean isHolder(Registration r) {
            return type != 0 && (allRegistrants(type) || id(r.nexus()).equals(holder));
        }

        /** The RESERVATION KEY READ RESERVATION reports: the holder's key, 0 for all-registrants types. */
        public long reservationKey() {
            if (type == 0 || allRegistrants(type)) {
                return 0;
            }
            for (Registration r : registrations) {
                if (id(r.nexus()).equals(holder)) {
                    return r.key();
                }
            }
            return 0;
        }
    }

    /** I_T nexus holding an SPC-2 reservation, or null. */
    private String spc2Holder;
    private final Map<String, Registration> registrations = new LinkedHashMap<>();
    private int generation;
    /** Persistent reservation type, 0 when none. */
    private int type;
    /** I_T nexus holding the persistent reservation; null for all-registrants types. */
    private String holder;

    /** The identity of an I_T nexus: initiator port name and target port name. */
    public static String id(Nexus nexus) {
        return nexus.initiatorPortName() + " -> " + (nexus.port() == null ? "-" : nexus.port().scsiPortName());
    }

    public static boolean validType(int type) {
        return type == WRITE_EXCLUSIVE || type == EXCLUSIVE_ACCESS || (type >= 5 && type <= 8);
    }

    static boolean allRegistrants(int type) {
        return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    private static boolean registrantsOnly(int type) {
        return type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    private static boolean exclusiveAccess(int type) {
        return type == EXCLUSIVE_ACCESS || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    /** True when a command with this access, from this nexus, must get RESERVATION CONFLICT. */
    public synchronized boolean conflicts(Nexus nexus, MediumAccess access) {
        if (access == MediumAccess.NONE || (spc2Holder == null && type == 0)) {
            return false; // nothing reserved: the common case, decided without naming the nexus
        }
        String me = id(nexus);
        if (spc2Holder != null && !spc2Holder.equals(me)) {
            // SPC-2 5.5.1: everything but the few commands marked NONE conflicts.
            return true;
        }
        if (type == 0 || me.equals(holder)) {
            return false;
        }
        // SPC-4 5.12.2 / table 64: registrants of RO and AR types have full access; everyone else
        // (including registered non-holders of WE/EA) may only read, and only under write exclusive.
        if ((registrantsOnly(type) || allRegistrants(type)) && registrations.containsKey(me)) {
            return false;
        }
        return switch (access) {
            case NONE, STATUS -> false;
            case READ -> exclusiveAccess(type);
            case CONTROL, WRITE -> true;
        };
    }

    // ---- SPC-2 RESERVE / RELEASE ----

    /**
     * SPC-2 RESERVE(6/10): false (RESERVATION CONFLICT) when another I_T nexus holds the unit or,
     * per SPC-4 5.12.3, when any I_T nexus is registered for persistent reservations.
     */
    public synchronized boolean reserve(Nexus nexus) {
        String me = id(nexus);
        if (!registrations.isEmpty() || (spc2Holder != null && !spc2Holder.equals(me))) {
            return false;
        }
        spc2Holder = me;
        return true;
    }

    /**
     * SPC-2 RELEASE(6/10): releases only the caller's own reservation; a release from another
     * nexus is a no-op. False (RESERVATION CONFLICT) while persistent reservation registrations exist.
     */
    public synchronized boolean release(Nexus nexus) {
        if (!registrations.isEmpty()) {
            return false;
        }
        if (id(nexus).equals(spc2Holder)) {
            spc2Holder = null;
        }
        return true;
    }

    /** Whether an SPC-2 reservation is held by an I_T nexus other than this one. */
    public synchronized boolean reservedByOther(Nexus nexus) {
        return spc2Holder != null && !spc2Holder.equals(id(nexus));
    }

    /** I_T nexus loss releases an SPC-2 reservation (SPC-2 5.5.1); persistent ones survive. */
    public synchronized void nexusLost(Nexus nexus) {
        if (id(nexus).equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    /** LUN reset: releases the SPC-2 reservation; persistent reservations survive (SPC-4 5.12.1). */
    public synchronized void reset() {
        spc2Holder = null;
    }

    // ---- persistent reservations (SPC-4 5.12, 6.16) ----

    public synchronized Status status() {
        return new Status(generation, List.copyOf(registrations.values()), type, holder);
    }

    private Registration checkRegistered(Nexus nexus, long reservationKey) throws ScsiException {
        Registration r = registrations.get(id(nexus));
        if (r == null || r.key() != reservationKey) {
            throw ScsiException.reservationConflict();
        }
        return r;
    }

    /**
     * REGISTER and REGISTER AND IGNORE EXISTING KEY (SPC-4 5.12.7, 5.12.11.2): registers,
     * changes or (service action key 0) removes this nexus's key.
     */
    public synchronized void register(Nexus nexus, long reservationKey, long serviceActionKey, boolean ignoreExisting,
            UnitAttentions ua) throws ScsiException {
        String me = id(nexus);
        Registration r = registrations.get(me);
        if (r == null) {
            if (!ignoreExisting && reservationKey != 0) {
                throw ScsiException.reservationConflict();
            }
            if (serviceActionKey == 0) {
                return; // nothing to register, generation unchanged
            }
            registrations.put(me, new Registration(nexus, serviceActionKey));
        } else {
            if (!ignoreExisting && r.key() != reservationKey) {
                throw ScsiException.reservationConflict();
            }
            if (serviceActionKey == 0) {
                unregister(me, ua);
            } else {
                registrations.put(me, new Registration(r.nexus(), serviceActionKey));
            }
        }
        generation++;
    }

    /** Removes a registration and the reservation it held (SPC-4 5.12.11.2.x). */
    private void unregister(String me, UnitAttentions ua) {
        registrations.remove(me);
        if (type == 0) {
            return;
        }
        if (allRegistrants(type)) {
            if (registrations.isEmpty()) {
                clearReservation();
            }
        } else if (me.equals(holder)) {
            int was = type;
            clearReservation();
            if (registrantsOnly(was)) {
                notifyRegistrants(ua, UnitAttentions.RESERVATIONS_RELEASED, null);
            }
        }
    }

    /** RESERVE (SPC-4 5.12.9). */
    public synchronized void reserve(Nexus nexus, long reservationKey, int newType) throws ScsiException {
        checkRegistered(nexus, reservationKey);
        String me = id(nexus);
        if (type != 0) {
            boolean isHolder = allRegistrants(type) || me.equals(holder);
            if (!isHolder || type != newType) {
                throw ScsiException.reservationConflict();
            }
            return;
        }
        type = newType;
        holder = allRegistrants(newType) ? null : me;
    }

    /** RELEASE (SPC-4 5.12.11.2.2). */
    public synchronized void release(Nexus nexus, long reservationKey, int releaseType, UnitAttentions ua)
            throws ScsiException {
        checkRegistered(nexus, reservationKey);
        String me = id(nexus);
        if (type == 0 || !(allRegistrants(type) || me.equals(holder))) {
            return; // not the holder: GOOD, no change
        }
        if (releaseType != type) {
            throw new ScsiException(Sense.illegal(0x26, 0x04)); // INVALID RELEASE OF PERSISTENT RESERVATION
        }
        int was = type;
        clearReservation();
        if (registrantsOnly(was) || allRegistrants(was)) {
            notifyRegistrants(ua, UnitAttentions.RESERVATIONS_RELEASED, me);
        }
    }

    /** CLEAR (SPC-4 5.12.11.2.6): drops the reservation and every registration. */
    public synchronized void clear(Nexus nexus, long reservationKey, UnitAttentions ua) throws ScsiException {
        checkRegistered(nexus, reservationKey);
        String me = id(nexus);
        notifyRegistrants(ua, UnitAttentions.RESERVATIONS_PREEMPTED, me);
        registrations.clear();
        clearReservation();
        generation++;
    }

    /**
     * PREEMPT and PREEMPT AND ABORT (SPC-4 5.12.11.4): removes the registrations holding
     * {@code serviceActionKey} (moving the reservation when the holder is among them) and queues
     * REGISTRATIONS PREEMPTED for them. The caller aborts their tasks for PREEMPT AND ABORT.
     *
     * @return the I_T nexuses whose registrations were removed (the caller's own among them when
     *     it preempted its own key)
     */
    public synchronized List<Nexus> preempt(Nexus nexus, long reservationKey, long serviceActionKey, int newType,
            UnitAttentions ua) throws ScsiException {
        checkRegistered(nexus, reservationKey);
        String me = id(nexus);
        List<Registration> removed;
        if (type == 0) {
            // 5.12.11.4.2: no reservation, only registrations are removed.
            removed = removeWithKey(serviceActionKey, null, true);
        } else if (allRegistrants(type)) {
            if (serviceActionKey == 0) {
                // 5.12.11.4.4: every other registration goes; the preempter reserves alone.
                requireValidType(newType);
                removed = removeAllBut(me);
                type = newType;
                holder = allRegistrants(newType) ? null : me;
            } else {
                removed = removeWithKey(serviceActionKey, null, true);
            }
        } else {
            Registration h = registrations.get(holder);
            if (h != null && h.key() == serviceActionKey) {
                // 5.12.11.4.3: preempting the holder moves the reservation to this nexus.
                requireValidType(newType);
                boolean changed = type != newType;
                removed = removeWithKey(serviceActionKey, me, false);
                type = newType;
                holder = allRegistrants(newType) ? null : me;
                if (changed) {
                    for (Registration r : registrations.values()) {
                        String other = id(r.nexus());
                        if (!other.equals(me)) {
                            ua.establish(r.nexus(), UnitAttentions.RESERVATIONS_RELEASED);
                        }
                    }
                }
            } else {
                removed = removeWithKey(serviceActionKey, null, true);
            }
        }
        List<Nexus> preempted = new ArrayList<>();
        for (Registration r : removed) {
            if (!id(r.nexus()).equals(me)) {
                ua.establish(r.nexus(), UnitAttentions.REGISTRATIONS_PREEMPTED);
            }
            preempted.add(r.nexus());
        }
        generation++;
        return preempted;
    }

    /**
     * Removes registrations holding {@code key}, except {@code keep}. With {@code mustMatch}, a
     * zero key is INVALID FIELD IN PARAMETER LIST and no match is RESERVATION CONFLICT.
     */
    private List<Registration> removeWithKey(long key, String keep, boolean mustMatch) throws ScsiException {
        if (mustMatch && key == 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(8, -1));
        }
        List<Registration> removed = new ArrayList<>();
        for (Iterator<Map.Entry<String, Registration>> it = registrations.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Registration> e = it.next();
            if (e.getValue().key() == key && !e.getKey().equals(keep)) {
                removed.add(e.getValue());
                it.remove();
            }
        }
        if (mustMatch && removed.isEmpty()) {
            throw ScsiException.reservationConflict();
        }
        if (holder != null && !registrations.containsKey(holder)) {
            clearReservation();
        }
        return removed;
    }

    private static void requireValidType(int t) throws ScsiException {
        if (!validType(t)) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, 3));
        }
    }

    private List<Registration> removeAllBut(String keep) {
        List<Registration> removed = new ArrayList<>();
        for (Iterator<Map.Entry<String, Registration>> it = registrations.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, Registration> e = it.next();
            if (!e.getKey().equals(keep)) {
                removed.add(e.getValue());
                it.remove();
            }
        }
        return removed;
    }

    private void clearReservation() {
        type = 0;
        holder = null;
    }

    /** Queues a unit attention for the initiator port of every registered nexus but {@code except}. */
    private void notifyRegistrants(UnitAttentions ua, Sense sense, String except) {
        for (Map.Entry<String, Registration> e : registrations.entrySet()) {
            if (!e.getKey().equals(except)) {
                ua.establish(e.getValue().nexus(), sense);
            }
        }
    }
}
