package io.xtarget.scsi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * Task attributes (SAM-5 8.6) within one task set: the commands of one I_T nexus to one LUN (the
 * LU reports TST 001b, a task set per I_T nexus). A SIMPLE task may start unless an older ORDERED
 * task has not finished; an ORDERED task starts only when every older task has finished; a HEAD OF
 * QUEUE task starts at once; ACA is treated as SIMPLE. Tasks enter in the order the fabric
 * received them (iSCSI: CmdSN order). Not thread-safe: the fabric serializes access (iSCSI: the
 * session's scheduler lock; vhost: the controller's lock).
 *
 * @param <T> the fabric's task type; {@code attribute} reads its {@link TaskAttribute}
 */
public final class TaskOrder<T> {
    private final Function<T, TaskAttribute> attribute;
    /** Tasks of this set that entered and have not left, oldest first. */
    private final ArrayDeque<T> tasks = new ArrayDeque<>();
    /** ORDERED tasks among {@link #tasks}: while zero, SIMPLE tasks start without a scan. */
    private int ordered;

    public TaskOrder(Function<T, TaskAttribute> attribute) {
        this.attribute = attribute;
    }

    /** A task entered the task set (youngest so far). */
    public void enter(T t) {
        tasks.addLast(t);
        if (attribute.apply(t) == TaskAttribute.ORDERED) {
            ordered++;
        }
    }

    /** Whether the task's attribute lets it start now. */
    public boolean mayStart(T t) {
        TaskAttribute attr = attribute.apply(t);
        if (attr == TaskAttribute.HEAD_OF_QUEUE || (ordered == 0 && attr != TaskAttribute.ORDERED)) {
            return true;
        }
        for (T older : tasks) {
            if (older == t) {
                return true;
            }
            if (attr == TaskAttribute.ORDERED || attribute.apply(older) == TaskAttribute.ORDERED) {
                return false;
            }
        }
        return true; // not entered: no constraint from this set
    }

    /** The task finished or was dropped; returns the younger tasks, which may now be able to start. */
    public List<T> leave(T t) {
        boolean removed = false;
        List<T> after = List.of();
        TaskAttribute attr = attribute.apply(t);
        for (Iterator<T> it = tasks.iterator(); it.hasNext(); ) {
            T x = it.next();
            if (x == t) {
                it.remove();
                removed = true;
                if (attr == TaskAttribute.ORDERED) {
                    ordered--;
                }
                if (ordered == 0 && attr != TaskAttribute.ORDERED) {
                    break; // nothing younger was held back by this task
                }
            } else if (removed) {
                if (after.isEmpty()) {
                    after = new ArrayList<>();
                }
                after.add(x);
            }
        }
        return after;
    }

    public boolean isEmpty() {
        return tasks.isEmpty();
    }
}
