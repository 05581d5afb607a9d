package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;

/**
 * The one Data-Out segment the connection is reading: the command it lands in and how its header
 * was judged, from the header until the segment ended. A command that ends meanwhile gets its
 * buffer back only then, never while bytes may still land in it.
 *
 * <p>Not thread-safe: guarded by the owning {@link CommandScheduler}'s lock.
 */
final class DataOutPlacement {
    private IscsiTask task;
    private DataOutCollector.Verdict verdict;
    /** The command ended while its segment was being read: its buffer goes back when the segment ends. */
    private boolean releaseWhenEnded;

    /**
     * A Data-Out header was read for {@code t} (null: no such command): ends the previous
     * segment, judges this one by the command's Data-Out rules and remembers both.
     */
    DataOutCollector.Verdict begin(IscsiTask t, Bhs h, int length) {
        end();
        task = t;
        verdict = t == null || t.collector == null ? new DataOutCollector.Drop()
                : t.collector.check(h.i32(20), h.i32(36), h.u32(40), length, (h.flags() & 0x80) != 0);
        return verdict;
    }

    /** The command the segment being read belongs to, or null. */
    IscsiTask task() {
        return task;
    }

    /** How the segment being read was judged, or null when none is. */
    DataOutCollector.Verdict verdict() {
        return verdict;
    }

    /**
     * The segment was read (or will not be): forgotten, and the buffer of a command that ended
     * while the connection was still reading into it goes back to the pool now.
     */
    void end() {
        IscsiTask t = task;
        boolean release = releaseWhenEnded;
        task = null;
        verdict = null;
        releaseWhenEnded = false;
        if (t != null && release) {
            t.releaseBuffer();
        }
    }

    /** Gives back an ended command's buffer: now, or when the segment being read into it ended. */
    void releaseBuffer(IscsiTask t) {
        if (task == t) {
            releaseWhenEnded = true;
        } else {
            t.releaseBuffer();
        }
    }
}
