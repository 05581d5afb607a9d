package io.xtarget.scsi.copy;

import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The 32-bit list identifiers of POPULATE TOKEN and WRITE USING TOKEN, per I_T nexus (SPC-4
 * 5.16.4.2: a list identifier names one copy operation of one I_T nexus). A list identifier of a
 * running operation of the same nexus is refused with OPERATION IN PROGRESS (00h/16h); one of an
 * ended operation is reused, replacing its results. Ended operations stay readable for
 * {@link #RETENTION} (RECEIVE ROD TOKEN INFORMATION may be sent more than once), at most
 * {@link #MAX_HELD_PER_NEXUS} per nexus; I_T nexus loss discards them.
 */
final class Lid4Operations {
    static final int MAX_HELD_PER_NEXUS = 64;
    static final Duration RETENTION = Duration.ofMinutes(10);

    private final LongSupplier clock;
    private final Map<Nexus, LinkedHashMap<Long, TokenOperation>> byNexus = new HashMap<>();

    Lid4Operations(LongSupplier nanoClock) {
        this.clock = nanoClock;
    }

    long now() {
        return clock.getAsLong();
    }

    /** Registers a new operation, or throws OPERATION IN PROGRESS when its list identifier is busy. */
    synchronized TokenOperation begin(Nexus nexus, int serviceAction, long listId, boolean immediate)
            throws ScsiException {
        sweep();
        LinkedHashMap<Long, TokenOperation> held = byNexus.computeIfAbsent(nexus, n -> new LinkedHashMap<>());
        TokenOperation previous = held.get(listId);
        if (previous != null && previous.running()) {
            throw new ScsiException(CopySense.operationInProgress());
        }
        TokenOperation op = new TokenOperation(serviceAction, listId, immediate);
        held.remove(listId);
        held.put(listId, op);
        return op;
    }

    /** The operation with this list identifier on this nexus, or null. */
    synchronized TokenOperation find(Nexus nexus, long listId) {
        LinkedHashMap<Long, TokenOperation> held = byNexus.get(nexus);
        if (held == null) {
            return null;
        }
        expire(held);
        return held.get(listId);
    }

    /** Forgets an operation refused before it started (it never ran, so there is nothing to report). */
    synchronized void forget(Nexus nexus, TokenOperation op) {
        LinkedHashMap<Long, TokenOperation> held = byNexus.get(nexus);
        if (held != null && held.get(op.listId()) == op) {
            held.remove(op.listId());
            if (held.isEmpty()) {
                byNexus.remove(nexus);
            }
        }
    }

    /** I_T nexus loss discards the ended operations of that nexus (running ones finish and are then dropped). */
    synchronized void nexusLost(Nexus nexus) {
        LinkedHashMap<Long, TokenOperation> held = byNexus.get(nexus);
        if (held != null) {
            held.values().removeIf(op -> !op.running());
            if (held.isEmpty()) {
                byNexus.remove(nexus);
            }
        }
    }

    /** Expires ended operations of every nexus (also those of nexuses long gone). */
    private void sweep() {
        byNexus.values().removeIf(held -> {
            expire(held);
            return held.isEmpty();
        });
    }

    private void expire(LinkedHashMap<Long, TokenOperation> held) {
        long now = now();
        long ended = held.values().stream().filter(op -> !op.running()).count();
        Iterator<TokenOperation> it = held.values().iterator();
        while (it.hasNext()) {
            TokenOperation op = it.next();
            if (op.running()) {
                continue;
            }
            if (now - op.finishedAtNanos() > RETENTION.toNanos() || ended > MAX_HELD_PER_NEXUS) {
                it.remove();
                ended--;
            }
        }
    }
}
