package io.xtarget.iscsi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;

/**
 * Task attributes (SAM-5 8.6) within one task set: the commands of one session to one LUN (the
 * LU reports TST 001b, a task set per I_T nexus). A SIMPLE task may start unless an older ORDERED
 * task has not finished; an ORDERED task starts only when every older task has finished; a HEAD OF
 * QUEUE task starts at once. UNTAGGED and ACA are treated as SIMPLE. Tasks enter in CmdSN order.
 */
final class TaskOrder {
    static final int UNTAGGED = 0;
    static final int SIMPLE = 1;
    static final int ORDERED = 2;
    static final int HEAD_OF_QUEUE = 3;

    /** Tasks of this set that entered and have not left, oldest first. */
    private final LinkedList<PendingCommand> tasks = new LinkedList<>();
    /** ORDERED tasks among {@link #tasks}: while zero, SIMPLE tasks start without a scan. */
    private int ordered;

    synchronized void enter(PendingCommand pc) {
        tasks.addLast(pc);
        if (pc.pdu.attributes() == ORDERED) {
            ordered++;
        }
    }

    /** Whether the task's attribute lets it start now. */
    synchronized boolean mayStart(PendingCommand pc) {
        int attr = pc.pdu.attributes();
        if (attr == HEAD_OF_QUEUE || (ordered == 0 && attr != ORDERED)) {
            return true;
        }
        for (PendingCommand older : tasks) {
            if (older == pc) {
                return true;
            }
            if (attr == ORDERED || older.pdu.attributes() == ORDERED) {
                return false;
            }
        }
        return true; // not entered (never ordered): no constraint from this set
    }

    /** The task finished or was dropped; returns the waiting tasks that may now be able to start. */
    synchronized List<PendingCommand> leave(PendingCommand pc) {
        boolean removed = false;
        List<PendingCommand> after = new ArrayList<>();
        for (Iterator<PendingCommand> it = tasks.iterator(); it.hasNext(); ) {
            PendingCommand t = it.next();
            if (t == pc) {
                it.remove();
                removed = true;
                if (pc.pdu.attributes() == ORDERED) {
                    ordered--;
                }
            } else if (removed && !t.submitted) {
                after.add(t);
            }
        }
        return after;
    }
}
