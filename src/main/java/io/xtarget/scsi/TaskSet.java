package io.xtarget.scsi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The tasks of one logical unit that entered its task sets and have not ended (SAM-5 4.6), from
 * every I_T nexus. The control mode page reports TST 001b (a task set per I_T nexus), so the
 * task manager selects by nexus when a function affects one task set only. The fabric adds a
 * task through {@link ScsiCore#enter} and it leaves by {@link ScsiTask#end}.
 */
public final class TaskSet {
    private final Set<ScsiTask> tasks = ConcurrentHashMap.newKeySet();

    void add(ScsiTask t) {
        tasks.add(t);
    }

    void remove(ScsiTask t) {
        tasks.remove(t);
    }

    /** A snapshot of the tasks matching {@code which}. */
    public List<ScsiTask> select(Predicate<ScsiTask> which) {
        List<ScsiTask> out = new ArrayList<>();
        for (ScsiTask t : tasks) {
            if (which.test(t)) {
                out.add(t);
            }
        }
        return out;
    }

    public int size() {
        return tasks.size();
    }
}
