package io.xtarget.scsi.copy;

import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.copy.ParameterList.Header;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * List identifiers and held copy results, per I_T nexus (SPC-4 6.4.3.2, 6.20). A list identifier
 * in use by a running copy of the same nexus is refused with OPERATION IN PROGRESS. Results of
 * copies with LIST ID USAGE 00b are held for a bounded time and count per nexus; copies with 10b
 * are tracked only while running; 11b copies are not tracked at all.
 */
final class CopyResults {
    static final int MAX_HELD_PER_NEXUS = 64;
    static final Duration RETENTION = Duration.ofMinutes(10);

    private final LongSupplier clock;
    private final Map<Nexus, LinkedHashMap<Integer, CopyOperation>> byNexus = new HashMap<>();

    CopyResults(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Registers a new copy, or throws OPERATION IN PROGRESS when its list identifier is busy. */
    synchronized CopyOperation begin(Nexus nexus, Header header) throws ScsiException {
        CopyOperation op = new CopyOperation(header.listId(), header.listIdUsage());
        if (!header.identified()) {
            return op;
        }
        LinkedHashMap<Integer, CopyOperation> held = byNexus.computeIfAbsent(nexus, n -> new LinkedHashMap<>());
        expire(held);
        CopyOperation previous = held.get(header.listId());
        if (previous != null && previous.state() == CopyOperation.State.RUNNING) {
            throw new ScsiException(CopySense.operationInProgress());
        }
        held.remove(header.listId()); // re-insert so iteration order is age order
        held.put(header.listId(), op);
        return op;
    }

    /** Called once the copy has ended, to drop what need not be held. */
    synchronized void finished(Nexus nexus, CopyOperation op) {
        LinkedHashMap<Integer, CopyOperation> held = byNexus.get(nexus);
        if (held == null) {
            return;
        }
        if (op.listIdUsage() != ParameterList.USAGE_HOLD && held.get(op.listId()) == op) {
            held.remove(op.listId());
        }
        expire(held);
        if (held.isEmpty()) {
            byNexus.remove(nexus);
        }
    }

    /** The copy with this list identifier on this nexus (running or held), or null. */
    synchronized CopyOperation find(Nexus nexus, int listId) {
        LinkedHashMap<Integer, CopyOperation> held = byNexus.get(nexus);
        if (held == null) {
            return null;
        }
        expire(held);
        return held.get(listId);
    }

    /** I_T nexus loss discards the held results of that nexus. */
    synchronized void nexusLost(Nexus nexus) {
        LinkedHashMap<Integer, CopyOperation> held = byNexus.get(nexus);
        if (held != null) {
            held.values().removeIf(op -> op.state() != CopyOperation.State.RUNNING);
            if (held.isEmpty()) {
                byNexus.remove(nexus);
            }
        }
    }

    /** Drops finished results past the retention time, then the oldest finished beyond the count bound. */
    private void expire(LinkedHashMap<Integer, CopyOperation> held) {
        long now = now();
        long finished = 0;
        for (CopyOperation op : held.values()) {
            if (op.state() != CopyOperation.State.RUNNING) {
                finished++;
            }
        }
        Iterator<CopyOperation> it = held.values().iterator();
        while (it.hasNext()) {
            CopyOperation op = it.next();
            if (op.state() == CopyOperation.State.RUNNING) {
                continue;
            }
            if (now - op.finishedAtNanos() > RETENTION.toNanos() || finished > MAX_HELD_PER_NEXUS) {
                it.remove();
                finished--;
            }
        }
    }
}
