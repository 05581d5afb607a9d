package io.xtarget.backend.rbd;

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
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watch and notify on one RADOS object for a {@link RadosRecord}: {@link #follow} watches it
 * ({@code rados_watch2}); a notification from another follower runs the handler on a virtual
 * thread and is acknowledged ({@code rados_notify_ack}) after the handler returned;
 * {@link #announce} notifies ({@code rados_notify2}) and returns when every watcher acknowledged,
 * or after {@link #NOTIFY_TIMEOUT_MS}. A notification carries the announcer's random token, so
 * its own watch acknowledges it at once. A watch librados reports broken (connection lost,
 * blocklisted, OSD restart) is set up again, then the handler runs, since notifications may have
 * been missed meanwhile.
 */
final class RadosWatch {
    private static final Logger log = LoggerFactory.getLogger(RadosWatch.class);
    /** How long {@link #announce} waits for the followers' acknowledgements. */
    static final long NOTIFY_TIMEOUT_MS = 2000;

    /** Watches by the id librados passes back to the callbacks. */
    private static final Map<Long, RadosWatch> WATCHING = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static MemorySegment watchStub;
    private static MemorySegment errorStub;

    private final Librados lib;
    private final RbdCluster cluster;
    private final MemorySegment io;
    private final MemorySegment oid;
    private final String where;
    private final long id = IDS.incrementAndGet();
    private final long token = new SecureRandom().nextLong();
    private volatile Runnable onChange;
    private volatile boolean closed;
    /** The watch handle; 0 while not watching. Guarded by watchLock. */
    private long cookie;
    private final Object watchLock = new Object();
    /** Held shared by each acknowledging thread, exclusively by {@link #close} (after it, {@code io} may go). */
    private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();

    /**
     * @param io a pool context of its own (notify and ack only), destroyed by the caller after {@link #close}
     * @param oid the object's name as a C string, living as long as this
     */
    RadosWatch(Librados lib, RbdCluster cluster, MemorySegment io, MemorySegment oid, String where) {
        this.lib = lib;
        this.cluster = cluster;
        this.io = io;
        this.oid = oid;
        this.where = where;
    }

    /** Watches the object (which must exist) and runs {@code onChange} for each other follower's announcement. */
    void follow(Runnable handler) throws IOException {
        this.onChange = handler;
        WATCHING.put(id, this);
        synchronized (watchLock) {
            cookie = watch();
        }
    }

    /** Notifies the other followers; returns when they acknowledged, or after the timeout (logged). */
    void announce() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment payload = a.allocate(8);
            payload.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, token);
            MemorySegment reply = a.allocate(ValueLayout.ADDRESS);
            MemorySegment replyLength = a.allocate(ValueLayout.JAVA_LONG);
            int rc = (int) lib.notify2.invokeExact(io, oid, payload, 8, NOTIFY_TIMEOUT_MS, reply, replyLength);
            MemorySegment r = reply.get(ValueLayout.ADDRESS, 0);
            if (!r.equals(MemorySegment.NULL)) {
                lib.bufferFree.invokeExact(r);
            }
            if (rc == -RbdErrors.ETIMEDOUT) {
                log.warn("{}: a follower did not acknowledge a change within {} ms", where, NOTIFY_TIMEOUT_MS);
                return;
            }
            if (rc < 0) {
                throw RbdErrors.of("announcing a change (" + where + ")", -rc);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private long watch() throws IOException {
        MemorySegment[] stubs = stubs(lib);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            int rc = (int) lib.watch2.invokeExact(io, oid, out, stubs[0], stubs[1], MemorySegment.ofAddress(id));
            if (rc < 0) {
                throw RbdErrors.of("watching " + where, -rc);
            }
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
                watchStub = lib.upcall(l.findStatic(RadosWatch.class, "notified", MethodType.methodType(void.class,
                        MemorySegment.class, long.class, long.class, long.class, MemorySegment.class, long.class)),
                        Librados.WATCH_CALLBACK);
                errorStub = lib.upcall(l.findStatic(RadosWatch.class, "watchFailed",
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
        RadosWatch w = WATCHING.get(arg.address());
        if (w == null) {
            return;
        }
        long from = length == 8 ? data.reinterpret(8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0) : 0;
        Thread.ofVirtual().name("rados-notify").start(() -> {
            w.life.readLock().lock();
            try {
                if (w.closed) {
                    return;
                }
                if (from != w.token) {
                    w.changed();
                }
                w.ack(notifyId, handle);
            } finally {
                w.life.readLock().unlock();
            }
        });
    }

    /** rados_watcherrcb_t: the watch is gone; watch again and catch up. */
    private static void watchFailed(MemorySegment arg, long handle, int err) {
        RadosWatch w = WATCHING.get(arg.address());
        if (w != null) {
            Thread.ofVirtual().name("rados-rewatch").start(() -> w.rewatch(err));
        }
    }

    private void changed() {
        Runnable c = onChange;
        if (c != null && !closed) {
            try {
                c.run();
            } catch (RuntimeException e) {
                log.warn("{}: following a change failed: {}", where, e.toString());
            }
        }
    }

    private void ack(long notifyId, long handle) {
        try {
            int rc = (int) lib.notifyAck.invokeExact(io, oid, notifyId, handle, MemorySegment.NULL, 0);
            if (rc < 0 && !closed) {
                log.debug("{}: acknowledging a change failed: {}", where, rc);
            }
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private void rewatch(int err) {
        log.warn("{}: the watch broke ({}); watching again", where, RbdErrors.of("watch", -err).getMessage());
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
                    log.warn("{}: watching again failed: {}", where, e.getMessage());
                    try {
                        watchLock.wait(wait);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }
        life.readLock().lock();
        try {
            changed();
        } finally {
            life.readLock().unlock();
        }
    }

    private void unwatch() {
        if (cookie != 0) {
            try {
                int rc = (int) lib.unwatch2.invokeExact(io, cookie);
                if (rc < 0) {
                    log.debug("{}: unwatch: {}", where, rc);
                }
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
            cookie = 0;
        }
    }

    /** Stops watching; returns when no callback of this watch runs any more (its context may then go). */
    void close() {
        synchronized (watchLock) {
            if (closed) {
                return;
            }
            closed = true;
            watchLock.notifyAll();
            unwatch();
        }
        WATCHING.remove(id);
        try {
            int rc = (int) lib.watchFlush.invokeExact(cluster.handle());
            if (rc < 0) {
                log.debug("{}: watch flush: {}", where, rc);
            }
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
        life.writeLock().lock(); // every acknowledging thread is done
        life.writeLock().unlock();
    }
}
