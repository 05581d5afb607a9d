package io.xtarget.backend.rbd;

import io.xtarget.backend.SharedRecord;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SharedRecord} in one RADOS object: reads with the object's version
 * ({@code rados_read}, {@code rados_get_last_version}), compare-and-swap as one write operation
 * ({@code rados_write_op_assert_version} or, for a new object, an exclusive create, then
 * {@code rados_write_op_write_full}: the OSD applies both or neither), and announcements by
 * watch/notify: every follower watches the object ({@code rados_watch2}); {@link #announce} is a
 * {@code rados_notify2} that returns when each watcher acknowledged, which a follower does after
 * its {@code onChange} ran, or after {@link #NOTIFY_TIMEOUT_MS}. A notify carries the announcer's
 * random token, so the announcer's own watch acknowledges it at once. A watch that librados
 * reports broken (connection lost, blocklisted, OSD restart) is set up again and followed by an
 * {@code onChange}, since announcements may have been missed meanwhile.
 *
 * <p>Each record has its own pool contexts (one for reads and writes, whose last version is
 * read right after each read under the record's lock; one for watch and notify) on a cluster
 * connection that every record shares and no image uses ({@link RbdCluster#acquire(String,
 * String, String)}): a gateway fenced off an image by another gateway's takeover still reads,
 * writes and follows the reservations. The record holds a reference to it until closed.
 */
public final class RadosRecord implements SharedRecord {
    private static final Logger log = LoggerFactory.getLogger(RadosRecord.class);
    /** How long {@link #announce} waits for the followers' acknowledgements. */
    static final long NOTIFY_TIMEOUT_MS = 5000;
    /** The largest record read: a few thousand registrations. */
    static final int MAX_BYTES = 4 << 20;
    private static final int ERANGE = 34;
    private static final int EOVERFLOW = 75;
    private static final int ECANCELED = 125;

    /** Followed records by the id librados passes back to the callbacks. */
    private static final Map<Long, RadosRecord> FOLLOWING = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static MemorySegment watchStub;
    private static MemorySegment errorStub;

    private final RbdCluster cluster;
    private final Librados lib;
    private final String pool;
    private final String object;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment oid;
    private final MemorySegment io;
    private final MemorySegment watchIo;
    private final long id = IDS.incrementAndGet();
    private final long token = new SecureRandom().nextLong();
    private volatile Runnable onChange;
    private volatile boolean closed;
    /** The watch handle; 0 while not watching. Guarded by watchLock. */
    private long cookie;
    private final Object watchLock = new Object();
    /** Held shared by each acknowledging thread, exclusively by {@link #close} before it frees the contexts. */
    private final java.util.concurrent.locks.ReentrantReadWriteLock life = new java.util.concurrent.locks.ReentrantReadWriteLock();

    private RadosRecord(RbdCluster cluster, Librados lib, String pool, String object) throws IOException {
        this.cluster = cluster;
        this.lib = lib;
        this.pool = pool;
        this.object = object;
        this.oid = arena.allocateFrom(object);
        MemorySegment first = null;
        try {
            first = ioctx();
            this.io = first;
            this.watchIo = ioctx();
        } catch (IOException | RuntimeException e) {
            if (first != null) {
                destroy(first);
            }
            arena.close();
            throw e;
        }
    }

    /**
     * The record {@code object} in the pool of {@code image}, on the cluster and as the user the
     * image names.
     *
     * @throws IOException when librados is missing or the cluster or pool cannot be reached
     */
    public static RadosRecord open(RbdImageSpec image, String object) throws IOException {
        Librados lib = Librados.get();
        RbdCluster c = RbdCluster.acquire(image.cephConf(), image.user(), "records");
        try {
            return new RadosRecord(c, lib, image.pool(), object);
        } catch (IOException | RuntimeException e) {
            c.release();
            throw e;
        }
    }

    /**
     * The id of image {@code image} (Ceph keeps it in the object {@code rbd_id.NAME} of the pool as
     * a 4-byte little-endian length and the characters), which a new image of the same name does
     * not share; null for an image without one (format 1) or no image of that name.
     *
     * @throws IOException when the cluster cannot be asked or the object is not such a string
     */
    public static String imageId(RbdImageSpec image) throws IOException {
        try (RadosRecord idObject = open(image, "rbd_id." + image.image())) {
            byte[] b = idObject.read().value();
            if (b.length == 0) {
                return null;
            }
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int n = b.length >= 4 ? bb.getInt() : -1;
            if (n <= 0 || n != b.length - 4) {
                throw new IOException("rbd_id." + image.image() + " in pool " + image.pool() + " is not an image id");
            }
            return new String(b, 4, n, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private MemorySegment ioctx() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            int rc = (int) lib.ioctxCreate.invokeExact(cluster.handle(), a.allocateFrom(pool), out);
            check("opening pool " + pool, rc);
            return out.get(ValueLayout.ADDRESS, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private void destroy(MemorySegment ctx) {
        try {
            lib.ioctxDestroy.invokeExact(ctx);
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private void check(String what, int rc) throws IOException {
        if (rc < 0) {
            throw RbdErrors.of(what + " (" + describe() + ")", -rc);
        }
    }

    private void open() throws IOException {
        if (closed) {
            throw new IOException(describe() + " is closed");
        }
    }

    @Override
    public String describe() {
        return "rados:" + pool + "/" + object;
    }

    @Override
    public synchronized Versioned read() throws IOException {
        open();
        for (int size = 64 << 10;; size *= 4) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(size);
                int rc = (int) lib.read.invokeExact(io, oid, buf, (long) size, 0L);
                if (rc == -RbdErrors.ENOENT) {
                    return new Versioned(new byte[0], 0);
                }
                check("reading", rc);
                if (rc == size && size < MAX_BYTES) {
                    continue; // may be longer: read again with room to spare
                }
                long version = (long) lib.getLastVersion.invokeExact(io);
                return new Versioned(buf.asSlice(0, rc).toArray(ValueLayout.JAVA_BYTE), version);
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
        }
    }

    @Override
    public synchronized boolean replace(long version, byte[] value) throws IOException {
        open();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment op = (MemorySegment) lib.createWriteOp.invokeExact();
            try {
                if (version == 0) {
                    lib.writeOpCreate.invokeExact(op, Librados.CREATE_EXCLUSIVE, MemorySegment.NULL);
                } else {
                    lib.writeOpAssertVersion.invokeExact(op, version);
                }
                lib.writeOpWriteFull.invokeExact(op, a.allocateFrom(ValueLayout.JAVA_BYTE, value), (long) value.length);
                int rc = (int) lib.writeOpOperate.invokeExact(op, io, oid, MemorySegment.NULL, 0);
                if (rc == -RbdErrors.EEXIST || rc == -ERANGE || rc == -EOVERFLOW || rc == -ECANCELED
                        || (rc == -RbdErrors.ENOENT && version != 0)) {
                    return false; // changed (or created, or removed) since that version
                }
                check("writing", rc);
                return true;
            } finally {
                lib.releaseWriteOp.invokeExact(op);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    @Override
    public void announce() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment payload = a.allocate(8);
            payload.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, token);
            MemorySegment reply = a.allocate(ValueLayout.ADDRESS);
            MemorySegment replyLength = a.allocate(ValueLayout.JAVA_LONG);
            int rc = (int) lib.notify2.invokeExact(watchIo, oid, payload, 8, NOTIFY_TIMEOUT_MS, reply, replyLength);
            MemorySegment r = reply.get(ValueLayout.ADDRESS, 0);
            if (!r.equals(MemorySegment.NULL)) {
                lib.bufferFree.invokeExact(r);
            }
            if (rc == -RbdErrors.ETIMEDOUT) {
                log.warn("{}: a follower did not acknowledge a change within {} ms", describe(), NOTIFY_TIMEOUT_MS);
                return;
            }
            check("announcing a change", rc);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    @Override
    public void follow(Runnable onChange) throws IOException {
        this.onChange = onChange;
        if (read().version() == 0) {
            replace(0, new byte[0]); // a watch needs the object; losing this race to a peer is fine
        }
        FOLLOWING.put(id, this);
        synchronized (watchLock) {
            cookie = watch();
        }
    }

    private long watch() throws IOException {
        MemorySegment[] stubs = stubs(lib);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            int rc = (int) lib.watch2.invokeExact(watchIo, oid, out, stubs[0], stubs[1], MemorySegment.ofAddress(id));
            check("watching", rc);
            return out.get(ValueLayout.JAVA_LONG, 0);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private static synchronized MemorySegment[] stubs(Librados lib) {
        if (watchStub == null) {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                watchStub = lib.upcall(l.findStatic(RadosRecord.class, "notified", MethodType.methodType(void.class,
                        MemorySegment.class, long.class, long.class, long.class, MemorySegment.class, long.class)),
                        Librados.WATCH_CALLBACK);
                errorStub = lib.upcall(l.findStatic(RadosRecord.class, "watchFailed",
                        MethodType.methodType(void.class, MemorySegment.class, long.class, int.class)),
                        Librados.WATCH_ERROR_CALLBACK);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return new MemorySegment[] {watchStub, errorStub};
    }

    /** rados_watchcb2_t, on a librados thread: the work goes to a virtual thread, then the ack. */
    private static void notified(MemorySegment arg, long notifyId, long handle, long notifierId, MemorySegment data,
            long length) {
        RadosRecord r = FOLLOWING.get(arg.address());
        if (r == null) {
            return;
        }
        long from = length == 8 ? data.reinterpret(8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0) : 0;
        Thread.ofVirtual().name("rados-notify").start(() -> {
            r.life.readLock().lock();
            try {
                if (r.closed) {
                    return;
                }
                if (from != r.token) {
                    r.changed();
                }
                r.ack(notifyId, handle);
            } finally {
                r.life.readLock().unlock();
            }
        });
    }

    /** rados_watcherrcb_t: the watch is gone; watch again and catch up. */
    private static void watchFailed(MemorySegment arg, long handle, int err) {
        RadosRecord r = FOLLOWING.get(arg.address());
        if (r != null) {
            Thread.ofVirtual().name("rados-rewatch").start(() -> r.rewatch(err));
        }
    }

    private void changed() {
        Runnable c = onChange;
        if (c != null && !closed) {
            try {
                c.run();
            } catch (RuntimeException e) {
                log.warn("{}: following a change failed: {}", describe(), e.toString());
            }
        }
    }

    private void ack(long notifyId, long handle) {
        try {
            int rc = (int) lib.notifyAck.invokeExact(watchIo, oid, notifyId, handle, MemorySegment.NULL, 0);
            if (rc < 0 && !closed) {
                log.debug("{}: acknowledging a change failed: {}", describe(), rc);
            }
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private void rewatch(int err) {
        log.warn("{}: the watch broke ({}); watching again", describe(), RbdErrors.of("watch", -err).getMessage());
        synchronized (watchLock) {
            if (closed) {
                return;
            }
            unwatch();
            for (long wait = 100; !closed; wait = Math.min(wait * 2, 5000)) {
                try {
                    cookie = watch();
                    break;
                } catch (IOException e) {
                    log.warn("{}: watching again failed: {}", describe(), e.getMessage());
                    try {
                        watchLock.wait(wait);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
        changed();
    }

    private void unwatch() {
        if (cookie != 0) {
            try {
                int rc = (int) lib.unwatch2.invokeExact(watchIo, cookie);
                if (rc < 0) {
                    log.debug("{}: unwatch: {}", describe(), rc);
                }
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
            cookie = 0;
        }
    }

    @Override
    public void close() {
        synchronized (watchLock) {
            if (closed) {
                return;
            }
            closed = true;
            watchLock.notifyAll();
            unwatch();
        }
        FOLLOWING.remove(id);
        try {
            int rc = (int) lib.watchFlush.invokeExact(cluster.handle());
            if (rc < 0) {
                log.debug("{}: watch flush: {}", describe(), rc);
            }
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
        life.writeLock().lock();
        try {
            synchronized (this) {
                destroy(io);
                destroy(watchIo);
            }
        } finally {
            life.writeLock().unlock();
        }
        cluster.release();
        arena.close();
    }

    @Override
    public String toString() {
        return describe();
    }

}
