package io.xtarget.vhost;

import io.xtarget.scsi.TaskAttribute;
import io.xtarget.scsi.TaskOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Task attributes (SAM-5 8.6) for the commands of one controller, whose I_T nexus has one task
 * set per LUN: the core's {@link TaskOrder} per LUN, fed in the order the controller takes the
 * requests from its rings, plus the commands it holds back. A command {@link #enter}s when taken
 * from a ring; one that may not start yet is held until an older task {@link #leave}s, or until it
 * is aborted ({@link #release}). Thread-safe: commands end on workers and the poll thread alike.
 */
final class VirtioTaskOrder {
    private final Map<Integer, TaskOrder<VirtioScsiCommand>> orders = new HashMap<>();
    private final Set<VirtioScsiCommand> held = new HashSet<>();

    /** The virtio-scsi task_attr byte (5.6.6.1): 0 SIMPLE, 1 ORDERED, 2 HEAD, 3 ACA; others SIMPLE. */
    static TaskAttribute attribute(int taskAttr) {
        return switch (taskAttr) {
            case VirtioScsi.S_ORDERED -> TaskAttribute.ORDERED;
            case VirtioScsi.S_HEAD -> TaskAttribute.HEAD_OF_QUEUE;
            case VirtioScsi.S_ACA -> TaskAttribute.ACA;
            default -> TaskAttribute.SIMPLE;
        };
    }

    private static TaskAttribute of(VirtioScsiCommand c) {
        return attribute(c.request().taskAttr());
    }

    /** The command entered its task set: true when it may start now, false when it is held. */
    synchronized boolean enter(VirtioScsiCommand c) {
        TaskOrder<VirtioScsiCommand> order = orders.computeIfAbsent(c.request().lun(),
                k -> new TaskOrder<>(VirtioTaskOrder::of));
        order.enter(c);
        if (order.mayStart(c)) {
            return true;
        }
        held.add(c);
        return false;
    }

    /** The command ended (answered or dropped): the held commands that may start now, no longer held. */
    synchronized List<VirtioScsiCommand> leave(VirtioScsiCommand c) {
        TaskOrder<VirtioScsiCommand> order = orders.get(c.request().lun());
        if (order == null) {
            return List.of();
        }
        held.remove(c);
        List<VirtioScsiCommand> younger = order.leave(c);
        if (order.isEmpty()) {
            orders.remove(c.request().lun());
        }
        List<VirtioScsiCommand> start = new ArrayList<>();
        for (VirtioScsiCommand y : younger) {
            if (held.contains(y) && order.mayStart(y)) {
                held.remove(y);
                start.add(y);
            }
        }
        return start;
    }

    /** An aborted command stops being held: true when it was held (the caller then ends it). */
    synchronized boolean release(VirtioScsiCommand c) {
        return held.remove(c);
    }

    /** Commands held back now, for tests. */
    synchronized int held() {
        return held.size();
    }
}
