package io.xtarget.scsi.copy;

import java.util.Map;
import java.util.TreeMap;

/**
 * The bytes of a run written contiguously from its start, while its pieces finish in any order
 * (the copy engine's lanes): a piece past a gap counts only once the gap is filled. This is what a
 * copy that stops early may report as written (SBC-3 WRITE USING TOKEN: INFORMATION is the
 * logical blocks written, contiguous from the first range), never a block not written.
 *
 * <p>Pieces are disjoint byte ranges, each added once. Thread-safe.
 */
final class WrittenPrefix {
    private long prefix;
    /** Pieces past the prefix: start to end (exclusive), in bytes from the run's start. */
    private final TreeMap<Long, Long> beyond = new TreeMap<>();

    /** Records a finished piece of {@code bytes} bytes at {@code at} bytes from the start. */
    synchronized void add(long at, long bytes) {
        if (bytes <= 0) {
            return;
        }
        if (at != prefix) {
            beyond.put(at, at + bytes);
            return;
        }
        prefix += bytes;
        for (Map.Entry<Long, Long> e = beyond.firstEntry(); e != null && e.getKey() == prefix;
                e = beyond.firstEntry()) {
            prefix = e.getValue();
            beyond.pollFirstEntry();
        }
    }

    /** Bytes written contiguously from the start. */
    synchronized long length() {
        return prefix;
    }
}
