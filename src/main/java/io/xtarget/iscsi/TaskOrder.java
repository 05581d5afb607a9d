package io.xtarget.iscsi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Task attributes (SAM-5 8.6) within one task set: the commands of one session to one LUN (the
 * LU reports TST 001b, a task set per I_T nexus). A SIMPLE task may start unless an older ORDERED
 * task has not finished; an ORDERED task starts only when every older task has finished; a HEAD OF
 * QUEUE task starts at once. UNTAGGED and ACA are treated as SIMPLE. Tasks enter in CmdSN order.
 * Callers serialize access (the session's scheduler lock).
 */
final class TaskOrder {
    /** The ATTR field of a SCSI Command PDU (RFC 7143 11.3.1). */
    enum Attribute {
        UNTAGGED, SIMPLE, ORDERED, HEAD_OF_QUEUE, ACA;

        static Attribute of(int code) {
            return switch (code) {
                case 1 -> SIMPLE;
                case 2 -> ORDERED;
                case 3 -> HEAD_OF_QUEUE;
                case 4 -> ACA;
                default -> UNTAGGED;
            };
        }
    }

    /** Tasks of this set that entered and have not left, oldest first. */
    private final ArrayDeque<IscsiTask> tasks = new ArrayDeque<>();
    /** ORDERED tasks among {@link #tasks}: while zero, SIMPLE tasks start without a scan. */
    private int ordered;

    void enter(IscsiTask t) {
        tasks.addLast(t);
        if (t.attribute == Attribute.ORDERED) {
            ordered++;
        }
    }

    /** Whether the task's attribute lets it start now. */
    boolean mayStart(IscsiTask t) {
        Attribute attr = t.attribute;
        if (attr == Attribute.HEAD_OF_QUEUE || (ordered == 0 && attr != Attribute.ORDERED)) {
            return true;
        }
        for (IscsiTask older : tasks) {
            if (older == t) {
                return true;
            }
            if (attr == Attribute.ORDERED || older.attribute == Attribute.ORDERED) {
                return false;
            }
        }
        return true; // not entered: no constraint from this set
    }

    /** The task finished or was dropped; returns the younger tasks, which may now be able to start. */
    List<IscsiTask> leave(IscsiTask t) {
        boolean removed = false;
        List<IscsiTask> after = List.of();
        for (Iterator<IscsiTask> it = tasks.iterator(); it.hasNext(); ) {
            IscsiTask x = it.next();
            if (x == t) {
                it.remove();
                removed = true;
                if (t.attribute == Attribute.ORDERED) {
                    ordered--;
                }
                if (ordered == 0 && t.attribute != Attribute.ORDERED) {
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

    boolean isEmpty() {
        return tasks.isEmpty();
    }
}
