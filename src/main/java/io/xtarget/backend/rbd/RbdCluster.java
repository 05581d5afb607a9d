package io.xtarget.backend.rbd;

import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection to a Ceph cluster ({@code rados_t}) and its pool contexts
 * ({@code rados_ioctx_t}), shared by every image opened with the same ceph.conf and user: a
 * connection costs threads, a monitor session and OSD sessions, so a server with many RBD
 * backstores keeps one. Reference counted: {@link #acquire} connects or reuses, {@link #release}
 * shuts the connection down when its last image closed.
 *
 * <p>Client settings applied before connecting (they override ceph.conf):
 * <ul>
 *   <li>{@code rbd_cache=false}: a write is on the OSDs when librbd completes it. A gateway-local
 *       write-back cache would make FUA and SYNCHRONIZE CACHE the only durability points and would
 *       let two gateways of one image (later: ALUA) read different data;</li>
 *   <li>{@code rbd_skip_partial_discard=false} (librbd then ignores rbd_discard_granularity_bytes): a discard
 *       zeroes every byte of its range, also parts of objects, so UNMAP keeps LBPRZ=1 (unmapped
 *       blocks read as zeros);</li>
 *   <li>{@code client_mount_timeout=10}: an unreachable cluster fails the connection after 10 s,
 *       not librados' default 300 s;</li>
 *   <li>{@code rados_osd_op_timeout=30}, {@code rados_mon_op_timeout=30}: an operation the cluster
 *       does not answer within 30 s fails with {@code -ETIMEDOUT} (NOT READY to the initiator)
 *       instead of waiting for ever; initiators time commands out after about 30 s as well;</li>
 *   <li>{@code rbd_blocklist_on_break_lock=true} (librbd's default, set so that a ceph.conf cannot
 *       turn it off): a gateway that takes an image over ({@link RbdExclusiveLock#takeOver})
 *       blocklists the old owner, so the old owner's late writes never land;</li>
 *   <li>{@code rbd_non_blocking_aio=false}: an rbd_aio_* call dispatches its request on the calling
 *       thread instead of posting it to librbd's io_context thread, one thread wake-up less per
 *       command (reads and writes are started on the connection's thread);</li>
 *   <li>{@code objecter_inflight_ops=65536}, {@code objecter_inflight_op_bytes=16 GiB} (librados:
 *       1024 and 100 MiB): librados would block the submitting thread, a connection's, beyond
 *       them; what is in flight is bounded by xtarget's own data budget ({@code limits}: 1 GiB
 *       per server by default, at most 128 commands per session) long before, unless an
 *       administrator sets {@code serverBuffer} above 16 GiB.</li>
 * </ul>
 *
 * <p>A connection whose client was blocklisted is useless for an hour: {@link #abandon} takes it
 * out of the shared ones, so the next {@link #acquire} connects anew (a new client address).
 */
final class RbdCluster {
    /** librados' in-flight throttle, set out of the way of xtarget's own budget (see the class comment). */
    static final int OBJECTER_INFLIGHT_OPS = 65536;
    static final long OBJECTER_INFLIGHT_BYTES = 16L << 30;

    /** Connect (client_mount_timeout) and operation timeouts, in seconds. */
    static final int CONNECT_TIMEOUT_SECONDS = 10;
    static final int OP_TIMEOUT_SECONDS = 30;

    private static final Map<String, RbdCluster> OPEN = new HashMap<>();
    /**
     * Clusters that could not be reached, by key, with the time (System.nanoTime) until which
     * another attempt is not made: ten backstores on one dead cluster cost one connect timeout at
     * start, not ten. A reload after that time tries again.
     */
    private static final Map<String, Unreachable> UNREACHABLE = new HashMap<>();

    private record Unreachable(long untilNanos, String message) {}

    private final String key;
    private final String description;
    final Librbd lib;
    private final MemorySegment cluster;
    private final Map<String, MemorySegment> pools = new HashMap<>();
    private int references;

    private RbdCluster(String key, String description, Librbd lib, MemorySegment cluster) {
        this.key = key;
        this.description = description;
        this.lib = lib;
        this.cluster = cluster;
    }

    /**
     * The connection for {@code cephConf} and {@code user}, connecting when there is none.
     *
     * @param cephConf ceph.conf to read, or null for librados' search (CEPH_CONF, /etc/ceph/ceph.conf, ...)
     * @param user the cephx user without "client." (null: "admin")
     * @throws StoreUnavailableException when the monitors do not answer within
     *     {@link #CONNECT_TIMEOUT_SECONDS}, or did not for an attempt less than twice that long ago
     * @throws IOException when librbd is not installed, ceph.conf cannot be read or the key is refused
     */
    static RbdCluster acquire(String cephConf, String user) throws IOException {
        return acquire(cephConf, user, "images");
    }

    /**
     * As {@link #acquire(String, String)}, a connection of its own for {@code purpose}: the
     * reservation records ({@link RadosRecord}) use one apart from the images', so that a
     * blocklist aimed at an image's lock owner (a takeover by another gateway) never cuts this
     * gateway off the shared reservation state.
     */
    static synchronized RbdCluster acquire(String cephConf, String user, String purpose) throws IOException {
        String key = cephConf + "\0" + user + "\0" + purpose;
        RbdCluster c = OPEN.get(key);
        if (c == null) {
            Unreachable u = UNREACHABLE.get(key);
            if (u != null && System.nanoTime() - u.untilNanos() < 0) {
                throw new StoreUnavailableException(u.message() + " (not tried again yet)");
            }
            try {
                c = connect(key, cephConf, user);
            } catch (StoreUnavailableException e) {
                UNREACHABLE.put(key, new Unreachable(System.nanoTime()
                        + java.util.concurrent.TimeUnit.SECONDS.toNanos(2L * CONNECT_TIMEOUT_SECONDS), e.getMessage()));
                throw e;
            }
            UNREACHABLE.remove(key);
            OPEN.put(key, c);
        }
        c.references++;
        return c;
    }

    private static RbdCluster connect(String key, String cephConf, String user) throws IOException {
        Librbd lib = Librbd.get();
        String who = "client." + (user == null ? "admin" : user) + " with "
                + (cephConf == null ? "the default ceph.conf" : cephConf);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            MemorySegment id = user == null ? MemorySegment.NULL : arena.allocateFrom(user);
            check("rados_create for " + who, (int) lib.radosCreate.invokeExact(out, id));
            MemorySegment cluster = out.get(ValueLayout.ADDRESS, 0);
            try {
                MemorySegment path = cephConf == null ? MemorySegment.NULL : arena.allocateFrom(cephConf);
                check("reading " + (cephConf == null ? "the default ceph.conf" : cephConf),
                        (int) lib.radosConfReadFile.invokeExact(cluster, path));
                set(lib, arena, cluster, "rbd_cache", "false");
                set(lib, arena, cluster, "rbd_skip_partial_discard", "false");
                // nothing the inline dispatch waits on is xtarget's (the exclusive lock and image
                // refreshes are asynchronous in librbd); the Objecter's in-flight throttle would
                // block the caller, a connection's thread: raised above what xtarget's own data
                // budget (limits) lets be in flight, so it never does
                set(lib, arena, cluster, "rbd_non_blocking_aio", "false");
                set(lib, arena, cluster, "objecter_inflight_ops", Integer.toString(OBJECTER_INFLIGHT_OPS));
                set(lib, arena, cluster, "objecter_inflight_op_bytes", Long.toString(OBJECTER_INFLIGHT_BYTES));
                set(lib, arena, cluster, "rbd_blocklist_on_break_lock", "true");
                set(lib, arena, cluster, "client_mount_timeout", Integer.toString(CONNECT_TIMEOUT_SECONDS));
                set(lib, arena, cluster, "rados_osd_op_timeout", Integer.toString(OP_TIMEOUT_SECONDS));
                set(lib, arena, cluster, "rados_mon_op_timeout", Integer.toString(OP_TIMEOUT_SECONDS));
                int rc = (int) lib.radosConnect.invokeExact(cluster);
                if (rc < 0) {
                    throw RbdErrors.of("connecting to the Ceph cluster as " + who, -rc);
                }
                return new RbdCluster(key, who, lib, cluster);
            } catch (IOException | RuntimeException | Error e) {
                lib.radosShutdown.invokeExact(cluster);
                throw e;
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private static void set(Librbd lib, Arena arena, MemorySegment cluster, String option, String value)
            throws Throwable {
        check("setting " + option, (int) lib.radosConfSet.invokeExact(cluster, arena.allocateFrom(option),
                arena.allocateFrom(value)));
    }

    private static void check(String what, int rc) throws IOException {
        if (rc < 0) {
            throw RbdErrors.of(what, -rc);
        }
    }

    /**
     * The I/O context of {@code pool}, created on first use and kept until the connection closes.
     *
     * @throws java.nio.file.NoSuchFileException when the pool does not exist ({@code -ENOENT})
     */
    synchronized MemorySegment pool(String pool) throws IOException {
        MemorySegment io = pools.get(pool);
        if (io != null) {
            return io;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = (int) lib.radosIoctxCreate.invokeExact(cluster, arena.allocateFrom(pool), out);
            if (rc == -RbdErrors.ENOENT) {
                throw new java.nio.file.NoSuchFileException("rbd:" + pool, null, "pool " + pool + " does not exist");
            }
            check("opening pool " + pool, rc);
            io = out.get(ValueLayout.ADDRESS, 0);
            pools.put(pool, io);
            return io;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /** The {@code rados_t} of the connection, for calls of {@link Librados} (valid until the last {@link #release}). */
    MemorySegment handle() {
        return cluster;
    }

    /**
     * This connection was blocklisted: images opened from now on get a new one. The images still
     * open on it keep it until they close.
     */
    void abandon() {
        synchronized (RbdCluster.class) {
            OPEN.remove(key, this);
        }
    }

    /** Drops one reference; the last one destroys the pool contexts and shuts the connection down. */
    void release() {
        synchronized (RbdCluster.class) {
            if (--references > 0) {
                return;
            }
            OPEN.remove(key, this);
        }
        try {
            synchronized (this) {
                for (MemorySegment io : pools.values()) {
                    lib.radosIoctxDestroy.invokeExact(io);
                }
                pools.clear();
            }
            lib.radosShutdown.invokeExact(cluster);
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    @Override
    public String toString() {
        return "Ceph cluster (" + description + ")";
    }
}
