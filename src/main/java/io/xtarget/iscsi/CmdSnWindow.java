package io.xtarget.iscsi;

import java.util.TreeMap;

/**
 * The session's command numbering (RFC 7143 3.2.2.1): commands are delivered to SCSI in CmdSN
 * order, ones outside [ExpCmdSN, MaxCmdSN] are dropped, and MaxCmdSN shrinks as commands are in
 * flight so at most {@code depth} are ever queued or running per session.
 */
final class CmdSnWindow {
    private final int depth;
    private final TreeMap<Integer, Runnable> waiting = new TreeMap<>((a, b) -> Integer.compare(a - Integer.MIN_VALUE, b - Integer.MIN_VALUE));
    private int expCmdSn;
    private int inFlight;

    CmdSnWindow(int initialCmdSn, int depth) {
        this.expCmdSn = initialCmdSn;
        this.depth = depth;
    }

    synchronized int expCmdSn() {
        return expCmdSn;
    }

    synchronized int maxCmdSn() {
        return expCmdSn + Math.max(0, depth - inFlight - waiting.size()) - 1;
    }

    /**
     * Accepts a non-immediate command. Returns false when its CmdSN is outside the window (the
     * caller drops it silently). Runs it, and any queued successors, on the calling thread in
     * CmdSN order once every earlier CmdSN has arrived.
     */
    boolean accept(int cmdSn, Runnable command) {
        java.util.List<Runnable> ready = new java.util.ArrayList<>();
        synchronized (this) {
            int offset = cmdSn - expCmdSn; // serial number arithmetic (RFC 1982)
            int window = maxCmdSn() - expCmdSn;
            if (offset < 0 || offset > window || waiting.containsKey(cmdSn)) {
                return false;
            }
            if (offset > 0) {
                waiting.put(cmdSn, command);
                return true;
            }
            ready.add(command);
            expCmdSn++;
            inFlight++;
            Runnable next;
            while ((next = waiting.remove(expCmdSn)) != null) {
                ready.add(next);
                expCmdSn++;
                inFlight++;
            }
        }
        ready.forEach(Runnable::run);
        return true;
    }

    /** An immediate command: delivered at once, not numbered, but counted while in flight. */
    synchronized void acceptImmediate() {
        inFlight++;
    }

    /** A delivered command finished; its slot opens the window again. */
    synchronized void completed() {
        if (inFlight > 0) {
            inFlight--;
        }
    }

    /** True when {@code cmdSn} is below ExpCmdSN, i.e. it was already received. */
    synchronized boolean alreadyReceived(int cmdSn) {
        return cmdSn - expCmdSn < 0;
    }
}
