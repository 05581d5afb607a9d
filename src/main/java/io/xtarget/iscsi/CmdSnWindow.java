package io.xtarget.iscsi;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The session's command numbering (RFC 7143 3.2.2.1): commands are delivered to SCSI in CmdSN
 * order, ones outside [ExpCmdSN, MaxCmdSN] are dropped, and MaxCmdSN shrinks as commands are in
 * flight so at most {@code depth} are ever queued or running per session. Immediate commands
 * are delivered at once and not numbered; they are bounded separately ({@link #tryImmediate}).
 * A CmdSN the initiator gave up on (an ABORT TASK naming a command that never arrived, RFC 7143
 * 11.5.1) is {@linkplain #considerReceived considered received}, so the commands after it run.
 */
final class CmdSnWindow implements Outbox.Window {
    /** Delivers nothing: stands for a CmdSN that is considered received without a command. */
    private static final Runnable LOST = () -> {};

    private final int depth;
    private final int maxImmediate;
    private final TreeMap<Integer, Runnable> waiting = new TreeMap<>((a, b) -> Integer.compare(a - Integer.MIN_VALUE, b - Integer.MIN_VALUE));
    private int expCmdSn;
    private int inFlight;
    private int immediate;

    CmdSnWindow(int initialCmdSn, int depth) {
        this(initialCmdSn, depth, depth);
    }

    /**
     * @param depth commands queued or running at once (the window the initiator is given)
     * @param maxImmediate immediate commands running at once
     */
    CmdSnWindow(int initialCmdSn, int depth, int maxImmediate) {
        this.expCmdSn = initialCmdSn;
        this.depth = depth;
        this.maxImmediate = maxImmediate;
    }

    @Override
    public synchronized int expCmdSn() {
        return expCmdSn;
    }

    /**
     * ExpCmdSN plus the slots not taken by delivered commands, minus one. Commands held for an
     * earlier CmdSN already lie inside [ExpCmdSN, MaxCmdSN] and are not subtracted again: the
     * initiator never lowers its MaxCmdSN (RFC 7143 4.2.2.1), so MaxCmdSN must never go down.
     */
    @Override
    public synchronized int maxCmdSn() {
        return expCmdSn + Math.max(0, depth - inFlight) - 1;
    }

    /**
     * Accepts a non-immediate command. Returns false when its CmdSN is outside the window or
     * already held (the caller drops it silently). Runs it, and any queued successors, on the
     * calling thread in CmdSN order once every earlier CmdSN has arrived.
     */
    boolean accept(int cmdSn, Runnable command) {
        if (takeNext(cmdSn)) {
            command.run();
            return true;
        }
        return acceptOutOfOrder(cmdSn, command);
    }

    /**
     * The common case, without queuing anything: when {@code cmdSn} is exactly ExpCmdSN, nothing
     * waits and the window has room, ExpCmdSN moves on and the caller delivers the command now.
     */
    synchronized boolean takeNext(int cmdSn) {
        if (cmdSn != expCmdSn || !waiting.isEmpty() || depth - inFlight <= 0) {
            return false;
        }
        expCmdSn++;
        inFlight++;
        return true;
    }

    private boolean acceptOutOfOrder(int cmdSn, Runnable command) {
        List<Runnable> ready;
        synchronized (this) {
            if (!inWindow(cmdSn) || waiting.containsKey(cmdSn)) {
                return false;
            }
            waiting.put(cmdSn, command);
            ready = drain();
        }
        ready.forEach(Runnable::run);
        return true;
    }

    /**
     * Treats a CmdSN that never arrived as received (RFC 7143 11.5.1, ABORT TASK whose RefCmdSN
     * is in the window and below the task management request's own CmdSN): ExpCmdSN moves past
     * it once every earlier CmdSN is in, and a command arriving later with it is dropped.
     *
     * @return true when the CmdSN was in the window and not yet received
     */
    boolean considerReceived(int cmdSn, int requestCmdSn) {
        List<Runnable> ready;
        synchronized (this) {
            if (!inWindow(cmdSn) || waiting.containsKey(cmdSn) || cmdSn - requestCmdSn >= 0) {
                return false;
            }
            waiting.put(cmdSn, LOST);
            ready = drain();
        }
        ready.forEach(Runnable::run);
        return true;
    }

    /**
     * Whether {@link #accept} would take this CmdSN now: in the window and not already held. Only
     * the connection's thread accepts commands, and the window only widens in between.
     */
    synchronized boolean canAccept(int cmdSn) {
        return inWindow(cmdSn) && !waiting.containsKey(cmdSn);
    }

    private boolean inWindow(int cmdSn) {
        int offset = cmdSn - expCmdSn; // serial number arithmetic (RFC 1982)
        return offset >= 0 && offset <= maxCmdSn() - expCmdSn;
    }

    /** Moves ExpCmdSN over every CmdSN now present; returns the commands to deliver in order. */
    private List<Runnable> drain() {
        List<Runnable> ready = List.of();
        Runnable next;
        while ((next = waiting.remove(expCmdSn)) != null) {
            expCmdSn++;
            if (next != LOST) {
                if (ready.isEmpty()) {
                    ready = new ArrayList<>(2);
                }
                ready.add(next);
                inFlight++;
            }
        }
        return ready;
    }

    /**
     * An immediate command: delivered at once, not numbered. Returns false when too many are
     * running already (the caller rejects it: RFC 7143 11.17.1, reason 06h).
     */
    synchronized boolean tryImmediate() {
        if (immediate >= maxImmediate) {
            return false;
        }
        immediate++;
        return true;
    }

    /** A delivered non-immediate command finished; its slot opens the window again. */
    synchronized void completed() {
        if (inFlight > 0) {
            inFlight--;
        }
    }

    /** An immediate command finished. */
    synchronized void immediateCompleted() {
        if (immediate > 0) {
            immediate--;
        }
    }

    /** True when {@code cmdSn} is below ExpCmdSN, i.e. it was already received. */
    synchronized boolean alreadyReceived(int cmdSn) {
        return cmdSn - expCmdSn < 0;
    }
}
