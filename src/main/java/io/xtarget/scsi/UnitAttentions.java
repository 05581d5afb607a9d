package io.xtarget.scsi;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * Pending unit attention conditions of one logical unit, per initiator port (SAM-5 5.14, SPC-4
 * 5.14). An initiator port that has not yet addressed the LU since the server started gets POWER
 * ON, RESET, OR BUS DEVICE RESET OCCURRED (29/00) first, as after a real power on.
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
    public static final Sense CAPACITY_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x2A, 0x09);
    public static final Sense LUN_INVENTORY_CHANGED = new Sense(SenseKey.UNIT_ATTENTION, 0x3F, 0x0E);
    public static final Sense COMMANDS_CLEARED_BY_ANOTHER = new Sense(SenseKey.UNIT_ATTENTION, 0x2F, 0x00);

    /** At most this many conditions are queued per initiator port; older ones are dropped. */
    private static final int MAX_QUEUED = 8;
    /**
     * Initiator ports remembered per LU. Every new ISID is a new initiator port, so the map is
     * bounded: the least recently seen port with nothing pending is forgotten first, and if it
     * returns it is treated like a port the LU has never seen (POWER ON OCCURRED).
     */
    static final int MAX_PORTS = 4096;

    private final boolean powerOnAttention;
    private final Map<String, Deque<Sense>> pending = new java.util.LinkedHashMap<>(16, 0.75f, true);

    public UnitAttentions(boolean powerOnAttention) {
        this.powerOnAttention = powerOnAttention;
    }

    private Deque<Sense> queue(String initiatorPort) {
        if (pending.size() >= MAX_PORTS && !pending.containsKey(initiatorPort)) {
            java.util.Iterator<Deque<Sense>> it = pending.values().iterator();
            while (it.hasNext() && pending.size() >= MAX_PORTS) {
                if (it.next().isEmpty()) {
                    it.remove();
                }
            }
        }
        return pending.computeIfAbsent(initiatorPort, k -> {
            Deque<Sense> q = new ArrayDeque<>();
            if (powerOnAttention) {
                q.add(POWER_ON);
            }
            return q;
        });
    }

    /** The oldest pending condition for this initiator port, or null, without clearing it. */
    public synchronized Sense peek(String initiatorPort) {
        return queue(initiatorPort).peekFirst();
    }

    /** Removes and returns the oldest pending condition, or null. */
    public synchronized Sense poll(String initiatorPort) {
        return queue(initiatorPort).pollFirst();
    }

    /** Queues a condition for one initiator port. */
    public synchronized void establish(String initiatorPort, Sense sense) {
        Deque<Sense> q = queue(initiatorPort);
        if (q.contains(sense)) {
            return;
        }
        if (q.size() >= MAX_QUEUED) {
            q.pollFirst();
        }
        q.addLast(sense);
    }

    /** Queues a condition for every known initiator port except {@code except} (may be null). */
    public synchronized void establishForAll(Sense sense, String except) {
        for (String port : pending.keySet().toArray(String[]::new)) {
            if (!port.equals(except)) {
                establish(port, sense);
            }
        }
    }
}
