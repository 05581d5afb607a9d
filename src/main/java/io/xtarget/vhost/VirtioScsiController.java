package io.xtarget.vhost;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.UnitAttentions;
import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The virtio SCSI host device of one vhost-user session (virtio 1.1 5.6): takes commands from the
 * request queues (2 and up) into the core, task management from the control queue (0,
 * {@link ControlQueue}), and sends events on the event queue (1, {@link EventQueue}).
 *
 * <p>A command goes the way iSCSI's do (io.xtarget.iscsi.CommandRunner): it enters its task set
 * ({@link ScsiCore#enter}) as it is taken from the ring, so task management reaches it at once;
 * a quick one (its row is QUICK and its LU answers at memory speed) runs on the poll thread, any
 * other on the fabric's workers; the status is claimed against a racing abort
 * ({@link ScsiTask#claimCompletion}); the buffer goes back to the used ring, then the task ends.
 * Task attributes are honoured as on iSCSI, by the core's task order ({@link VirtioTaskOrder}): an
 * ORDERED command waits for the older tasks of its LUN and holds back younger ones until it is
 * answered, HEAD OF QUEUE starts at once (Linux sends every command SIMPLE).
 */
final class VirtioScsiController {
    private static final Logger log = LoggerFactory.getLogger(VirtioScsiController.class);
    /** OVERLAPPED COMMANDS ATTEMPTED (SAM-5 5.11): a command identifier already in use. */
    static final Sense OVERLAPPED = new Sense(SenseKey.ABORTED_COMMAND, 0x4E, 0x00);

    private final ScsiCore core;
    private final Nexus nexus;
    private final Supplier<LunMap> lunMap;
    private final Executor workers;
    private final BufferBudget budget;
    private final DataTraffic traffic;
    private final String name;
    private final Map<Long, VirtioScsiCommand> inFlight = new ConcurrentHashMap<>();
    private final VirtioTaskOrder order = new VirtioTaskOrder();
    private final EventQueue events;
    private final ControlQueue control;
    /** The LUs whose unit attentions for this nexus are announced, with the listener each has. */
    private final Map<LogicalUnit, UnitAttentions.Listener> listening = new HashMap<>();

    VirtioScsiController(String name, ScsiCore core, Nexus nexus, Supplier<LunMap> lunMap, Executor workers,
            BufferBudget budget, DataTraffic traffic, Virtqueue controlQueue, Virtqueue eventQueue) {
        this.traffic = traffic;
        this.name = name;
        this.core = core;
        this.nexus = nexus;
        this.lunMap = lunMap;
        this.workers = workers;
        this.budget = budget;
        this.events = new EventQueue(eventQueue);
        this.control = new ControlQueue(this, controlQueue);
    }

    ScsiCore core() {
        return core;
    }

    Nexus nexus() {
        return nexus;
    }

    LunMap lunMap() {
        return lunMap.get();
    }

    EventQueue events() {
        return events;
    }

    /** Commands taken from the rings and not yet returned, by command identifier. */
    Collection<VirtioScsiCommand> inFlight() {
        return inFlight.values();
    }

    VirtioScsiCommand inFlight(long tag) {
        return inFlight.get(tag);
    }

    /** The driver kicked {@code q} (or a polled ring is looked at): takes what it made available. */
    void kicked(Virtqueue q) throws DeviceException {
        switch (q.index) {
            case VirtioScsi.CONTROL_QUEUE -> control.process();
            case VirtioScsi.EVENT_QUEUE -> events.flush();
            default -> processRequests(q);
        }
    }

    private void processRequests(Virtqueue q) throws DeviceException {
        do {
            Virtqueue.Popped p;
            while ((p = q.pop()) != null) {
                start(p);
            }
        } while (q.rearm());
    }

    private void start(Virtqueue.Popped p) throws DeviceException {
        VirtioScsiRequest r;
        try {
            r = VirtioScsiRequest.parse(p.chain());
        } catch (DeviceException e) {
            p.queue().push(p, 0);
            throw e;
        }
        if (!r.ourTarget()) {
            // one target per controller (max_target 0): others do not exist (5.6.6.1 BAD_TARGET)
            VirtioScsiRequest.writeResponse(p.chain(), VirtioScsi.S_BAD_TARGET, 0, null, 0);
            give(p, VirtioScsi.RESPONSE_HEADER_BYTES);
            return;
        }
        LunMap map = lunMap.get();
        ScsiTask task = new ScsiTask(core, nexus, map, r.lun(), new Cdb(r.cdb()), r.tag(), this::aborted);
        VirtioScsiCommand cmd = new VirtioScsiCommand(p, r, task, traffic);
        if (inFlight.putIfAbsent(r.tag(), cmd) != null) {
            log.debug("{}: {} uses the identifier of a command in flight", name, r);
            long n = cmd.writeResult(new ScsiResult(ScsiStatus.CHECK_CONDITION, OVERLAPPED, null));
            give(p, n);
            return;
        }
        core.enter(task);
        if (order.enter(cmd)) {
            dispatch(cmd);
        }
    }

    /** The task manager aborted a task: one its attribute holds back ends now (its response is due). */
    private void aborted(ScsiTask task) {
        VirtioScsiCommand cmd = inFlight.get(task.tag());
        if (cmd != null && cmd.task() == task && order.release(cmd)) {
            workers.execute(() -> run(cmd));
        }
    }

    /** Runs a command that may start: a quick one on this thread, any other on a worker. */
    private void dispatch(VirtioScsiCommand cmd) {
        ScsiTask task = cmd.task();
        long bytes = cmd.bufferBytes();
        if (core.quick(task) && budget.tryTake(bytes)) {
            cmd.reserved(bytes);
            run(cmd);
            return;
        }
        workers.execute(() -> {
            try {
                budget.take(bytes);
                cmd.reserved(bytes);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            run(cmd);
        });
    }

    /** Runs a command and returns its buffer (or ends it, when it was aborted meanwhile). */
    private void run(VirtioScsiCommand cmd) {
        ScsiTask task = cmd.task();
        try {
            if (task.isAborted()) {
                complete(cmd, cmd.writeAborted());
                return;
            }
            ScsiResult r;
            try {
                cmd.attachDataOut();
                r = core.execute(task);
            } catch (RuntimeException e) {
                log.error("{}: internal error running {}", name, cmd, e);
                r = ScsiResult.internalFailure();
            }
            complete(cmd, task.claimCompletion() ? cmd.writeResult(r) : cmd.writeAborted());
        } catch (RuntimeException e) {
            // guest memory unmapped under us (the session ended): nothing left to answer
            log.debug("{}: {} ended without a response: {}", name, cmd, e.toString());
            finish(cmd);
        }
    }

    private void complete(VirtioScsiCommand cmd, long written) {
        Virtqueue.Popped p = cmd.popped();
        inFlight.remove(cmd.request().tag(), cmd);
        cmd.releaseBuffers();
        give(p, written);
        budget.give(cmd.reserved());
        cmd.task().end();
        startYounger(cmd);
    }

    /** The tasks {@code ended} held back (ORDERED, SAM-5 8.6) that may start now. */
    private void startYounger(VirtioScsiCommand ended) {
        for (VirtioScsiCommand next : order.leave(ended)) {
            dispatch(next);
        }
    }

    private void finish(VirtioScsiCommand cmd) {
        inFlight.remove(cmd.request().tag(), cmd);
        cmd.releaseBuffers();
        cmd.popped().queue().push(cmd.popped(), 0);
        budget.give(cmd.reserved());
        cmd.task().end();
        startYounger(cmd);
    }

    /** Returns a chain to its queue and interrupts the guest if it asked to hear of it. */
    static void give(Virtqueue.Popped p, long written) {
        p.queue().push(p, written);
        try {
            p.queue().notifyGuest();
        } catch (IOException e) {
            log.debug("queue {}: call failed: {}", p.queue().index, e.getMessage());
        }
    }

    /**
     * The controller's LUN map changed (a config reload): the nexus now reaches the new map's
     * units, each gets REPORTED LUNS DATA HAS CHANGED (as iSCSI sessions do), and the driver hears
     * of each LUN added (TRANSPORT RESET, RESCAN) or removed (REMOVED) on the event queue (5.6.6.3).
     */
    void lunMapChanged(LunMap before, LunMap now) {
        core.nexusRemapped(nexus, before, now);
        stopListening(now);
        listen(now);
        for (LunMapping m : now.mappings()) {
            m.unit().unitAttentions().establish(nexus, UnitAttentions.LUN_INVENTORY_CHANGED);
        }
        for (LunMapping m : before.mappings()) {
            LunMapping n = now.get(m.lun());
            if (n == null || n.unit() != m.unit()) {
                events.post(VirtioScsi.T_TRANSPORT_RESET, m.lun(), VirtioScsi.EVT_RESET_REMOVED);
            }
        }
        for (LunMapping m : now.mappings()) {
            LunMapping b = before.get(m.lun());
            if (b == null || b.unit() != m.unit()) {
                events.post(VirtioScsi.T_TRANSPORT_RESET, m.lun(), VirtioScsi.EVT_RESET_RESCAN);
            }
        }
    }

    /**
     * Starts announcing the unit attentions about changed parameters (2Ah/xx: mode parameters,
     * capacity, reservations) that the LUs of {@code map} queue for this nexus: each becomes a
     * PARAM CHANGE event with its ASC and ASCQ (5.6.6.3.2) as it is queued, so the driver rescans
     * the LU without waiting for its next command. The condition itself stays pending.
     */
    void listen(LunMap map) {
        synchronized (listening) {
            for (LunMapping m : map.mappings()) {
                LogicalUnit lu = m.unit();
                listening.computeIfAbsent(lu, u -> {
                    UnitAttentions.Listener l = (n, sense) -> parameterChanged(u, sense);
                    u.unitAttentions().listen(nexus, l);
                    return l;
                });
            }
        }
    }

    /** Stops announcing the unit attentions of every LU not in {@code keep} (null: of every LU). */
    void stopListening(LunMap keep) {
        synchronized (listening) {
            listening.entrySet().removeIf(e -> {
                LogicalUnit lu = e.getKey();
                if (keep != null && keep.mappings().stream().anyMatch(m -> m.unit() == lu)) {
                    return false;
                }
                lu.unitAttentions().unlisten(nexus, e.getValue());
                return true;
            });
        }
    }

    private void parameterChanged(LogicalUnit lu, Sense s) {
        if (s.asc() != 0x2A) {
            return;
        }
        for (LunMapping m : lunMap.get().mappings()) {
            if (m.unit() == lu) {
                events.post(VirtioScsi.T_PARAM_CHANGE, m.lun(), s.asc() | (s.ascq() << 8));
            }
        }
    }

    @Override
    public String toString() {
        return name + " (" + inFlight.size() + " commands in flight)";
    }
}
