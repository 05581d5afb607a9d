package io.xtarget.scsi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Pending unit attention conditions of one logical unit, per I_T nexus (SAM-5 5.14, SPC-4 5.14).
 * An I_T nexus that has not yet addressed the LU since the server started gets POWER ON, RESET,
 * OR BUS DEVICE RESET OCCURRED (29/00) first, as after a real power on. Conditions meant for
 * "every I_T nexus" go to the nexuses {@linkplain #attach attached} at that moment.
 */
public final class UnitAttentions {
    /** NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED: a removable medium was loaded. */
    public static final Sense MEDIUM_MAY_HAVE_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x28, 0x00);
    public static final Sense POWER_ON = new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x00);
    public static final Sense BUS_RESET = new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x02);
    public static final Sense LUN_RESET = new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x03);
    public static final Sense I_T_NEXUS_LOSS = new Sense(SenseKey.UNIT_ATTENTION, 0x29, 0x07);
    public static final Sense MODE_PARAMETERS_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x01);
    public static final Sense RESERVATIONS_PREEMPTED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x03);
    public static final Sense RESERVATIONS_RELEASED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x04);
    public static final Sense REGISTRATIONS_PREEMPTED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x05);
    public static final Sense ASYMMETRIC_ACCESS_STATE_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x06);
    public static final Sense CAPACITY_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x09);
    public static final Sense LUN_INVENTORY_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E);
    /** THIN PROVISIONING SOFT THRESHOLD REACHED (SBC-3 4.7.3.7): see {@link ThinProvisioning}. */
    public static final Sense SOFT_THRESHOLD_REACHED = new Sense(SenseKey.UNIT_ATTENTION, 0x38, 0x07);
    public static final Sense COMMANDS_CLEARED_BY_ANOTHER = new Sense(SenseKey.UNIT_ATTENTION, 0x2F, 0x00);

    /** At most this many conditions are queued per I_T nexus; older ones are dropped. */
    private static final int MAX_QUEUED = 8;
    /**
     * I_T nexuses remembered per LU. A fabric may name a new initiator port per session, so the map is
     * bounded: the least recently seen nexus with nothing pending is forgotten first, and if it
     * returns it is treated like a nexus the LU has never seen (POWER ON OCCURRED).
     */
    static final int MAX_PORTS = 4096;

    /**
     * A fabric's ear for one I_T nexus: told of each condition queued for it, so it can tell the
     * initiator at once (virtio-scsi: a PARAM CHANGE event) instead of waiting for its next command.
     */
    @FunctionalInterface
    public interface Listener {
        /**
         * {@code sense} was queued for {@code nexus} (it was not pending already). Called on the
         * thread that queued it, after the LU's lock is released; must not block.
         */
        void established(Nexus nexus, Sense sense);
    }

    private final boolean powerOnAttention;
    /** At most one listener per I_T nexus (the fabric serving it). */
    private final Map<Nexus, Listener> listeners = new java.util.HashMap<>();
    private final Map<Nexus, Deque<Sense>> pending = new java.util.LinkedHashMap<>(16, 0.75f, true);
    /** The I_T nexuses that exist now and can address this LU (SAM-5: the ones a reset reaches). */
    private final java.util.Set<Nexus> attached = new java.util.HashSet<>();

    public UnitAttentions(boolean powerOnAttention) {
        this.powerOnAttention = powerOnAttention;
    }

    private Deque<Sense> queue(Nexus nexus) {
        if (pending.size() >= MAX_PORTS && !pending.containsKey(nexus)) {
            java.util.Iterator<Deque<Sense>> it = pending.values().iterator();
            while (it.hasNext() && pending.size() >= MAX_PORTS) {
                if (it.next().isEmpty()) {
                    it.remove();
                }
            }
        }
        return pending.computeIfAbsent(nexus, k -> {
            Deque<Sense> q = new ArrayDeque<>();
            if (powerOnAttention) {
                q.add(POWER_ON);
            }
            return q;
        });
    }

    /** An I_T nexus that can address this LU was formed: from now on "every I_T nexus" includes it. */
    public synchronized void attach(Nexus nexus) {
        attached.add(nexus);
    }

    /** The I_T nexus ended or lost access; conditions already queued for it are kept. */
    public synchronized void detach(Nexus nexus) {
        attached.remove(nexus);
    }

    /** The oldest pending condition for this I_T nexus, or null, without clearing it. */
    public synchronized Sense peek(Nexus nexus) {
        return queue(nexus).peekFirst();
    }

    /** Removes and returns the oldest pending condition, or null. */
    public synchronized Sense poll(Nexus nexus) {
        return queue(nexus).pollFirst();
    }

    /**
     * Has {@code listener} told of every condition queued for {@code nexus} from now on, replacing
     * the nexus's previous listener; null stops telling.
     */
    public synchronized void listen(Nexus nexus, Listener listener) {
        if (listener == null) {
            listeners.remove(nexus);
        } else {
            listeners.put(nexus, listener);
        }
    }

    /** Stops telling {@code listener} (only if it is still the nexus's listener). */
    public synchronized void unlisten(Nexus nexus, Listener listener) {
        listeners.remove(nexus, listener);
    }

    /** Queues a condition for one I_T nexus. */
    public void establish(Nexus nexus, Sense sense) {
        Listener l;
        synchronized (this) {
            if (!enqueue(nexus, sense)) {
                return;
            }
            l = listeners.get(nexus);
        }
        if (l != null) {
            l.established(nexus, sense);
        }
    }

    /** Queues {@code sense} unless it is pending already; true when it was queued. */
    private boolean enqueue(Nexus nexus, Sense sense) {
        Deque<Sense> q = queue(nexus);
        if (q.contains(sense)) {
            return false;
        }
        if (q.size() >= MAX_QUEUED) {
            q.pollFirst();
        }
        q.addLast(sense);
        return true;
    }

    /**
     * Queues a condition for an I_T nexus this LU has seen (attached now, or addressed it
     * earlier and not forgotten); a nexus never seen here, such as one through another gateway of
     * the LU, gets nothing.
     */
    public synchronized void establishIfKnown(Nexus nexus, Sense sense) {
        if (attached.contains(nexus) || pending.containsKey(nexus)) {
            establish(nexus, sense);
        }
    }

    /**
     * Queues a condition for every I_T nexus that exists now and can address this LU, except
     * {@code except} (may be null). A nexus formed later does not see it (SAM-5 5.14, 6.3.3).
     */
    public void establishForAll(Sense sense, Nexus except) {
        List<Map.Entry<Nexus, Listener>> tell = new ArrayList<>();
        synchronized (this) {
            for (Nexus n : attached.toArray(Nexus[]::new)) {
                if (!n.equals(except) && enqueue(n, sense)) {
                    Listener l = listeners.get(n);
                    if (l != null) {
                        tell.add(Map.entry(n, l));
                    }
                }
            }
        }
        tell.forEach(e -> e.getValue().established(e.getKey(), sense));
    }
}
