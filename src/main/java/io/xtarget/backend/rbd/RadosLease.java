package io.xtarget.backend.rbd;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A lease on a RADOS object: an exclusive advisory lock (Ceph's cls_lock, {@code
 * rados_lock_exclusive}) with a duration, which its holder renews well before it runs out. A
 * holder that dies stops renewing and the lease expires after {@code duration}: cls_lock drops an
 * expired lock when the next client asks for it. The gateways of an image use one to agree which
 * of them is active/optimized (the "home" of the image), apart from the image's exclusive lock,
 * which moves to whichever gateway writes.
 *
 * <p>Each lease object has one cookie (random, per process), so a renewal is recognised as this
 * holder's. Calls block for one round trip to the OSD holding the object.
 */
final class RadosLease {
    private static final long MICROS_PER_SECOND = 1_000_000;

    private final Librados lib;
    private final MemorySegment io;
    private final MemorySegment object;
    private final String description;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment name;
    private final MemorySegment cookie;
    private final MemorySegment desc;
    private final MemorySegment duration;

    /**
     * A lease named {@code name} on {@code object} of pool context {@code io} (both kept by the
     * caller for as long as this lease is used).
     *
     * @param duration how long a taken or renewed lease lasts without renewal (whole milliseconds)
     */
    RadosLease(Librados lib, MemorySegment io, MemorySegment object, String name, Duration duration,
            String description) {
        this.lib = lib;
        this.io = io;
        this.object = object;
        this.description = description;
        this.name = arena.allocateFrom(name);
        this.cookie = arena.allocateFrom(UUID.randomUUID().toString());
        this.desc = arena.allocateFrom("xtarget gateway");
        this.duration = arena.allocate(16, 8); // struct timeval { time_t tv_sec; suseconds_t tv_usec; }
        long micros = duration.toMillis() * 1000;
        this.duration.set(JAVA_LONG, 0, micros / MICROS_PER_SECOND);
        this.duration.set(JAVA_LONG, 8, micros % MICROS_PER_SECOND);
    }

    /**
     * Takes the lease when it is free or expired, or renews it when this holder has it.
     *
     * @return whether this holder has the lease now (false: another live holder has it)
     * @throws IOException when the cluster refuses (e.g. this client is blocklisted)
     */
    boolean holdOrRenew() throws IOException {
        int rc = call(Librados.LOCK_FLAG_RENEW);
        if (rc == -RbdErrors.EBUSY || rc == -RbdErrors.EEXIST) {
            return false;
        }
        check("taking or renewing", rc);
        return true;
    }

    /**
     * Takes the lease whoever holds it: breaks every other holder's lock, then takes it. The
     * former holder learns it at its next renewal (which then fails).
     *
     * @throws IOException when the cluster refuses, or yet another client took it in between
     */
    void takeFromAnyone() throws IOException {
        for (String[] holder : holders()) {
            if (!holder[1].equals(cookie.getString(0))) {
                try (Arena a = Arena.ofConfined()) {
                    int rc = (int) lib.breakLock.invokeExact(io, object, name, a.allocateFrom(holder[0]),
                            a.allocateFrom(holder[1]));
                    if (rc != -RbdErrors.ENOENT) {
                        check("breaking " + holder[0] + "'s", rc);
                    }
                } catch (IOException | RuntimeException | Error e) {
                    throw e;
                } catch (Throwable t) {
                    throw Librbd.rethrow(t);
                }
            }
        }
        if (!holdOrRenew()) {
            throw new IOException(description + ": another gateway took the lease first");
        }
    }

    /** Gives the lease up when this holder has it; nothing otherwise. */
    void release() throws IOException {
        try {
            int rc = (int) lib.unlock.invokeExact(io, object, name, cookie);
            if (rc != -RbdErrors.ENOENT) {
                check("releasing", rc);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /** The holders as {client, cookie} pairs (rados_list_lockers; at most one for an exclusive lock). */
    List<String[]> holders() throws IOException {
        int size = 256;
        for (int attempt = 0; attempt < 4; attempt++) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment exclusive = a.allocate(JAVA_INT);
                MemorySegment[] bufs = new MemorySegment[4];
                MemorySegment[] lens = new MemorySegment[4];
                for (int i = 0; i < 4; i++) {
                    bufs[i] = a.allocate(size);
                    lens[i] = a.allocate(JAVA_LONG);
                    lens[i].set(JAVA_LONG, 0, size);
                }
                long n = (long) lib.listLockers.invokeExact(io, object, name, exclusive, bufs[0], lens[0], bufs[1],
                        lens[1], bufs[2], lens[2], bufs[3], lens[3]);
                if (n == -RbdErrors.ERANGE) {
                    size *= 4;
                    continue;
                }
                if (n == -RbdErrors.ENOENT) {
                    return List.of();
                }
                check("listing the holders of", (int) n);
                List<String> clients = strings(bufs[1], lens[1].get(JAVA_LONG, 0));
                List<String> cookies = strings(bufs[2], lens[2].get(JAVA_LONG, 0));
                List<String[]> holders = new ArrayList<>();
                for (int i = 0; i < Math.min(n, Math.min(clients.size(), cookies.size())); i++) {
                    holders.add(new String[] {clients.get(i), cookies.get(i)});
                }
                return holders;
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
        }
        throw new IOException(description + ": the list of lease holders kept growing");
    }

    /** NUL-separated strings in the first {@code length} bytes of {@code buf}. */
    private static List<String> strings(MemorySegment buf, long length) {
        List<String> out = new ArrayList<>();
        byte[] bytes = buf.asSlice(0, Math.min(length, buf.byteSize())).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (i > start) {
                    out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private int call(byte flags) {
        try {
            return (int) lib.lockExclusive.invokeExact(io, object, name, cookie, desc, duration, flags);
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private void check(String what, int rc) throws IOException {
        if (rc < 0) {
            throw RbdErrors.of(what + " the lease of the " + description, -rc);
        }
    }

    /** Frees this lease's native strings; the lease must not be used afterwards. */
    void close() {
        arena.close();
    }
}
