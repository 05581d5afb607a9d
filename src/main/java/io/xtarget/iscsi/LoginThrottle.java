package io.xtarget.iscsi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Slows down CHAP secret guessing. RFC 7143 12.1.3 leaves CHAP's strength to the secret (and
 * 9.2.1 warns that it is open to off-line and on-line dictionary attacks); this bounds the on-line
 * rate. Every login that failed CHAP (status 0201, see {@link Login}) counts against two keys, the
 * initiator name and the source address, each separately; a key with failures makes later logins
 * under it wait an exponential back-off: {@code first}, then twice as long after each further
 * failure, up to {@code max}. A successful CHAP login clears both of its keys.
 *
 * <p>Attempts under a throttled key are spaced: each login reserves the next free slot of its keys
 * ({@link #admit}), so connections opened together do not all pass when one timer expires. A
 * login whose slot lies beyond its latest start (its login timeout) is not given one: the caller
 * refuses it at once, and it reserves nothing.
 *
 * <p>Memory is bounded: an entry is forgotten once nothing happened under its key for
 * {@link #FORGET_FACTOR} times {@code max} after its slot passed, and the table holds at most
 * {@code capacity} entries; when full, the eighth of them with the fewest failures (the oldest
 * among equals) is dropped, so names or addresses rotated once each cannot push out a key that
 * failed many times. Names longer than {@link #MAX_KEY} characters are cut there (a real iSCSI
 * name is at most 223 bytes, RFC 7143 4.2.7.1), which can only merge such names' state.
 *
 * <p>Time is a {@code System.nanoTime()} value passed in by the caller, so tests drive the clock.
 * Thread-safe; every method is short and never blocks: the caller waits (on the login's virtual
 * thread).
 */
final class LoginThrottle {
    /** Entries idle this many times the longest back-off (after their slot passed) are forgotten. */
    static final int FORGET_FACTOR = 10;
    /** Default bound on the number of tracked names and addresses together. */
    static final int DEFAULT_CAPACITY = 10_000;
    static final int MAX_KEY = 256;

    private static final class Entry {
        int failures;
        /** The earliest start of the next login under this key. */
        long next;
        long lastUsed;
    }

    /** What {@link #admit} decided: wait this long, or (refused) do not start at all. */
    record Admission(long waitNanos, boolean refused) {
        static final Admission NOW = new Admission(0, false);
    }

    private final long firstNanos;
    private final long maxNanos;
    private final int capacity;
    private final Map<String, Entry> entries = new HashMap<>();
    private long failures;
    private long delayed;
    private long refused;

    /**
     * @param firstNanos the back-off after one failure; 0 turns the throttle off (failures are
     *     still counted)
     * @param maxNanos the longest back-off
     * @param capacity most entries held
     */
    LoginThrottle(long firstNanos, long maxNanos, int capacity) {
        if (firstNanos < 0 || maxNanos < firstNanos || capacity < 8) {
            throw new IllegalArgumentException("bad throttle " + firstNanos + "/" + maxNanos + "/" + capacity);
        }
        this.firstNanos = firstNanos;
        this.maxNanos = maxNanos;
        this.capacity = capacity;
    }

    LoginThrottle(long firstNanos, long maxNanos) {
        this(firstNanos, maxNanos, DEFAULT_CAPACITY);
    }

    /**
     * A login from {@code name} (null while unknown) and {@code address} wants to start at
     * {@code now}: reserves its slot, the later of both keys' next free slots, and moves each
     * throttled key's next slot one back-off past it.
     *
     * @param latest the latest start the login can still use (its login deadline less the time
     *     the exchange needs)
     * @return how long to wait first, or refused when the slot is after {@code latest}
     */
    synchronized Admission admit(String name, String address, long now, long latest) {
        Entry byName = live(nameKey(name), now);
        Entry byAddress = live(addressKey(address), now);
        if (byName == null && byAddress == null) {
            return Admission.NOW;
        }
        long slot = now;
        for (Entry e : new Entry[] {byName, byAddress}) {
            if (e != null && e.next - slot > 0) {
                slot = e.next;
            }
        }
        if (slot - latest > 0) {
            refused++;
            return new Admission(slot - now, true);
        }
        for (Entry e : new Entry[] {byName, byAddress}) {
            if (e != null) {
                e.next = slot + backoff(e.failures);
                e.lastUsed = now;
            }
        }
        if (slot != now) {
            delayed++;
        }
        return new Admission(slot - now, false);
    }

    /**
     * A login under these keys failed CHAP at {@code now}: one more failure for each key, whose
     * next slot is then at least the new back-off away.
     *
     * @return the longer of the two keys' back-offs now, in nanoseconds (for the log)
     */
    synchronized long failed(String name, String address, long now) {
        failures++;
        if (firstNanos == 0) {
            return 0;
        }
        long longest = 0;
        for (String key : new String[] {nameKey(name), addressKey(address)}) {
            if (key == null) {
                continue;
            }
            Entry e = live(key, now);
            if (e == null) {
                makeRoom(now);
                e = new Entry();
                e.next = now;
                entries.put(key, e);
            }
            e.failures = Math.min(e.failures + 1, 63);
            long b = backoff(e.failures);
            if (now + b - e.next > 0) {
                e.next = now + b;
            }
            e.lastUsed = now;
            longest = Math.max(longest, b);
        }
        return longest;
    }

    /** A login under these keys passed CHAP: both keys start afresh. */
    synchronized void succeeded(String name, String address) {
        String n = nameKey(name);
        if (n != null) {
            entries.remove(n);
        }
        String a = addressKey(address);
        if (a != null) {
            entries.remove(a);
        }
    }

    /** The back-off after {@code failures} failures: first, doubled per further failure, at most max. */
    long backoff(int failures) {
        if (failures <= 0 || firstNanos == 0) {
            return 0;
        }
        int shift = failures - 1;
        if (shift >= 62 || firstNanos > maxNanos >> shift) {
            return maxNanos;
        }
        return Math.min(firstNanos << shift, maxNanos);
    }

    /** Counters since start. */
    record Stats(long authFailures, long delayed, long refused, int tracked) {}

    synchronized Stats stats() {
        return new Stats(failures, delayed, refused, entries.size());
    }

    /** The failures counted against a name (0 when not tracked); for tests. */
    synchronized int failuresOfName(String name) {
        Entry e = entries.get(nameKey(name));
        return e == null ? 0 : e.failures;
    }

    private Entry live(String key, long now) {
        if (key == null || firstNanos == 0) {
            return null;
        }
        Entry e = entries.get(key);
        if (e != null && expired(e, now)) {
            entries.remove(key);
            return null;
        }
        return e;
    }

    private boolean expired(Entry e, long now) {
        long idleSince = e.next - e.lastUsed > 0 ? e.next : e.lastUsed;
        return now - idleSince > FORGET_FACTOR * maxNanos;
    }

    /** Drops expired entries when full; if still full, the eighth with the fewest failures. */
    private void makeRoom(long now) {
        if (entries.size() < capacity) {
            return;
        }
        entries.values().removeIf(e -> expired(e, now));
        if (entries.size() < capacity) {
            return;
        }
        List<Map.Entry<String, Entry>> all = new ArrayList<>(entries.entrySet());
        all.sort(Comparator.comparingInt((Map.Entry<String, Entry> m) -> m.getValue().failures)
                .thenComparingLong(m -> m.getValue().lastUsed - now));
        for (int i = 0; i < capacity / 8; i++) {
            entries.remove(all.get(i).getKey());
        }
    }

    private static String nameKey(String name) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        return "n:" + (name.length() > MAX_KEY ? name.substring(0, MAX_KEY) : name);
    }

    private static String addressKey(String address) {
        return address == null || address.isEmpty() ? null : "a:" + address;
    }
}
