package io.xtarget.backend.rbd;

import io.xtarget.backend.StoreUnavailableException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open RBD image ({@code rbd_image_t}): librbd's operations on it, each submitted
 * asynchronously and returned as its {@link RbdCompletion}, plus the synchronous
 * {@link #allocatedExtents} (rbd_diff_iterate2). Offsets and lengths are bytes; buffers are native
 * memory that the caller keeps alive and untouched until the completion came. A submission librbd
 * refuses at once completes with its negative errno, like a failure reported later.
 *
 * <p>Nothing here checks ranges or maps errors: {@link RbdStore} does.
 */
final class RbdImage implements AutoCloseable {
    private final RbdCluster cluster;
    private final Librbd lib;
    private final MemorySegment image;
    private final RbdImageSpec spec;
    private final long sizeBytes;

    private RbdImage(RbdCluster cluster, MemorySegment image, RbdImageSpec spec, long sizeBytes) {
        this.cluster = cluster;
        this.lib = cluster.lib;
        this.image = image;
        this.spec = spec;
        this.sizeBytes = sizeBytes;
    }

    /**
     * Opens an image, creating it first (thin: no object is written) when it does not exist and
     * {@code createBytes} is positive. A new image gets the pool's default features and object
     * size (rbd_create: 4 MiB objects, layering, exclusive-lock, object-map, fast-diff,
     * deep-flatten on Ceph 16).
     *
     * @param createBytes size of a new image in bytes, or 0 never to create one
     * @throws NoSuchFileException when the pool or the image does not exist (and is not created)
     * @throws StoreUnavailableException when the cluster cannot be reached
     * @throws IOException for any other failure (librbd missing, key refused, ...)
     */
    static RbdImage open(RbdImageSpec spec, long createBytes) throws IOException {
        RbdCluster cluster = RbdCluster.acquire(spec.cephConf(), spec.user());
        try (Arena arena = Arena.ofConfined()) {
            Librbd lib = cluster.lib;
            MemorySegment io = cluster.pool(spec.pool());
            MemorySegment name = arena.allocateFrom(spec.image());
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int rc = (int) lib.rbdOpen.invokeExact(io, name, out, MemorySegment.NULL);
            if (rc == -RbdErrors.ENOENT && createBytes > 0) {
                MemorySegment order = arena.allocate(ValueLayout.JAVA_INT); // 0: the default object size
                rc = (int) lib.rbdCreate.invokeExact(io, name, createBytes, order);
                if (rc < 0 && rc != -RbdErrors.EEXIST) { // EEXIST: another gateway created it meanwhile
                    throw RbdErrors.of("creating " + spec + " of " + createBytes + " bytes", -rc);
                }
                rc = (int) lib.rbdOpen.invokeExact(io, name, out, MemorySegment.NULL);
            }
            if (rc == -RbdErrors.ENOENT) {
                throw new NoSuchFileException(spec.toString(), null, "image does not exist");
            }
            if (rc < 0) {
                throw RbdErrors.of("opening " + spec, -rc);
            }
            MemorySegment image = out.get(ValueLayout.ADDRESS, 0);
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            rc = (int) lib.rbdGetSize.invokeExact(image, size);
            if (rc < 0) {
                int ignored = (int) lib.rbdClose.invokeExact(image);
                throw RbdErrors.of("reading the size of " + spec, -rc);
            }
            return new RbdImage(cluster, image, spec, size.get(ValueLayout.JAVA_LONG, 0));
        } catch (Throwable t) {
            cluster.release();
            if (t instanceof IOException e) {
                throw e;
            }
            throw Librbd.rethrow(t);
        }
    }

    RbdImageSpec spec() {
        return spec;
    }

    /** The image's size in bytes when it was opened. */
    long sizeBytes() {
        return sizeBytes;
    }

    /** One rbd_aio_* call given the completion handle; returns what the call returned. */
    @FunctionalInterface
    private interface Submission {
        long submit(MemorySegment completion) throws Throwable;
    }

    private RbdCompletion submit(Submission s) throws IOException {
        RbdCompletion c = RbdCompletion.create(lib);
        long rc;
        try {
            rc = s.submit(c.handle());
        } catch (Throwable t) {
            c.abandon(-RbdErrors.EIO);
            throw Librbd.rethrow(t);
        }
        if (rc < 0) {
            c.abandon(rc);
        }
        return c;
    }

    /** rbd_aio_read of {@code buf.byteSize()} bytes at {@code offset}; completes with the bytes read. */
    RbdCompletion read(long offset, MemorySegment buf) throws IOException {
        return submit(c -> (int) lib.rbdAioRead.invokeExact(image, offset, buf.byteSize(), buf, c));
    }

    /** rbd_aio_write2, with LIBRADOS_OP_FLAG_FADVISE_FUA when {@code fua}; completes with the bytes written. */
    RbdCompletion write(long offset, MemorySegment buf, boolean fua) throws IOException {
        int flags = fua ? Librbd.OP_FLAG_FUA : 0;
        return submit(c -> (int) lib.rbdAioWrite2.invokeExact(image, offset, buf.byteSize(), buf, c, flags));
    }

    /** rbd_aio_flush: completes when every write completed before it is on stable storage. */
    RbdCompletion flush() throws IOException {
        return submit(c -> (int) lib.rbdAioFlush.invokeExact(image, c));
    }

    /** rbd_aio_discard: the range reads back as zeros afterwards (see {@link RbdCluster} for the settings). */
    RbdCompletion discard(long offset, long length) throws IOException {
        return submit(c -> (int) lib.rbdAioDiscard.invokeExact(image, offset, length, c));
    }

    /** rbd_aio_writesame: {@code pattern} repeated over {@code length} bytes (a multiple of its size). */
    RbdCompletion writeSame(long offset, long length, MemorySegment pattern, boolean fua) throws IOException {
        int flags = fua ? Librbd.OP_FLAG_FUA : 0;
        return submit(c -> (int) lib.rbdAioWritesame.invokeExact(image, offset, length, pattern,
                pattern.byteSize(), c, flags));
    }

    /**
     * rbd_aio_compare_and_write: atomically on the OSD, compares the image at {@code offset} with
     * {@code compare} and writes {@code data} (same size) only when equal. Completes with 0 (or the
     * length) when written, {@code -EILSEQ} on a miscompare, after librbd stored the offset of the
     * first differing byte, relative to {@code offset}, in {@code mismatch} (a uint64_t).
     */
    RbdCompletion compareAndWrite(long offset, MemorySegment compare, MemorySegment data, MemorySegment mismatch,
            boolean fua) throws IOException {
        int flags = fua ? Librbd.OP_FLAG_FUA : 0;
        return submit(c -> (long) lib.rbdAioCompareAndWrite.invokeExact(image, offset, data.byteSize(), compare,
                data, c, mismatch, flags));
    }

    /** The diff callbacks' collectors, by the number passed as {@code void *arg}. */
    private static final ConcurrentHashMap<Long, List<long[]>> DIFFS = new ConcurrentHashMap<>();
    private static final AtomicLong DIFF_IDS = new AtomicLong();
    private static volatile MemorySegment diffCallback;

    /**
     * The allocated extents of {@code [offset, offset + length)} as {offset, length} pairs, sorted by
     * offset and merged where they touch (rbd_diff_iterate2 from the beginning of time, parent
     * included, byte-exact rather than whole objects). Blocks the calling thread: librbd asks the
     * OSDs about every object of the range, so callers keep ranges modest.
     */
    List<long[]> allocatedExtents(long offset, long length) throws IOException {
        long id = DIFF_IDS.incrementAndGet();
        List<long[]> extents = java.util.Collections.synchronizedList(new ArrayList<>());
        DIFFS.put(id, extents);
        try {
            int rc = (int) lib.rbdDiffIterate2.invokeExact(image, MemorySegment.NULL, offset, length, (byte) 1,
                    (byte) 0, diffCallback(), MemorySegment.ofAddress(id));
            if (rc < 0) {
                throw RbdErrors.of("rbd_diff_iterate2 of " + spec + " at " + offset, -rc);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        } finally {
            DIFFS.remove(id);
        }
        List<long[]> sorted = new ArrayList<>(extents);
        sorted.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> merged = new ArrayList<>();
        for (long[] e : sorted) {
            long[] last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && e[0] <= last[0] + last[1]) {
                last[1] = Math.max(last[1], e[0] + e[1] - last[0]);
            } else {
                merged.add(new long[] {e[0], e[1]});
            }
        }
        return merged;
    }

    private MemorySegment diffCallback() throws ReflectiveOperationException {
        MemorySegment cb = diffCallback;
        if (cb == null) {
            synchronized (RbdImage.class) {
                cb = diffCallback;
                if (cb == null) {
                    cb = lib.upcall(MethodHandles.lookup().findStatic(RbdImage.class, "diffExtent",
                            MethodType.methodType(int.class, long.class, long.class, int.class, MemorySegment.class)),
                            Librbd.DIFF_CALLBACK);
                    diffCallback = cb;
                }
            }
        }
        return cb;
    }

    /** The upcall {@code int (*)(uint64_t offset, size_t length, int exists, void *arg)}; 0 continues. */
    private static int diffExtent(long offset, long length, int exists, MemorySegment arg) {
        try {
            List<long[]> extents = DIFFS.get(arg.address());
            if (extents != null && exists != 0 && length > 0) {
                extents.add(new long[] {offset, length});
            }
            return 0;
        } catch (Throwable t) {
            return -RbdErrors.EIO;
        }
    }

    /**
     * rbd_lock_acquire(RBD_LOCK_MODE_EXCLUSIVE): takes the image's exclusive lock and holds it
     * (librbd then refuses other clients' requests for it) until {@link #close}. Returns 0 when
     * this client owns the lock, or the negative errno (-EROFS: another client holds it).
     */
    int acquireExclusiveLock() {
        try {
            return (int) lib.rbdLockAcquire.invokeExact(image, Librbd.LOCK_MODE_EXCLUSIVE);
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /**
     * rbd_lock_release: gives the exclusive lock up (librbd first waits for the writes in flight),
     * so that another client can take it. Returns 0, or the negative errno (-EINVAL: this client
     * does not hold it).
     */
    int releaseExclusiveLock() {
        try {
            return (int) lib.rbdLockRelease.invokeExact(image);
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /** rbd_get_features: whether the image has the exclusive-lock feature. */
    boolean hasExclusiveLockFeature() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment features = arena.allocate(ValueLayout.JAVA_LONG);
            int rc = (int) lib.rbdGetFeatures.invokeExact(image, features);
            if (rc < 0) {
                throw RbdErrors.of("rbd_get_features of " + spec, -rc);
            }
            return (features.get(ValueLayout.JAVA_LONG, 0) & Librbd.FEATURE_EXCLUSIVE_LOCK) != 0;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /** rbd_is_exclusive_lock_owner: whether this client holds the exclusive lock now. */
    boolean isExclusiveLockOwner() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment owner = arena.allocate(ValueLayout.JAVA_INT);
            int rc = (int) lib.rbdIsExclusiveLockOwner.invokeExact(image, owner);
            if (rc < 0) {
                throw RbdErrors.of("rbd_is_exclusive_lock_owner of " + spec, -rc);
            }
            return owner.get(ValueLayout.JAVA_INT, 0) != 0;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /** How many lock owners {@link #lockOwners} asks for at first (an exclusive lock has one). */
    private static final int OWNER_SLOTS = 4;

    /**
     * rbd_lock_get_owners: the clients holding the image's lock, as librbd names them (the
     * owner's client address, e.g. "127.0.0.1:0/3016527621"); empty when nobody holds it
     * ({@code -ENOENT}). Asks the OSD holding the image header, so it also tells whether this
     * client may still talk to the cluster: a blocklisted client gets {@code -EBLOCKLISTED}.
     *
     * @throws IOException with librbd's errno ({@link RbdErrors#of}: a blocklisted client is a
     *     {@link io.xtarget.backend.StoreFencedException})
     */
    List<String> lockOwners() throws IOException {
        long slots = OWNER_SLOTS;
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment mode = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment owners = arena.allocate(ValueLayout.ADDRESS, slots);
                MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
                count.set(ValueLayout.JAVA_LONG, 0, slots);
                int rc = (int) lib.rbdLockGetOwners.invokeExact(image, mode, owners, count);
                if (rc == -RbdErrors.ENOENT) {
                    return List.of();
                }
                if (rc == -RbdErrors.ERANGE) {
                    slots = Math.max(slots + 1, count.get(ValueLayout.JAVA_LONG, 0));
                    continue;
                }
                if (rc == -RbdErrors.EINVAL) { // librbd: "exclusive-lock feature is not enabled"
                    throw new IOException(spec + " has no exclusive-lock feature, which gateways need to decide which"
                            + " of them writes: rbd feature enable " + spec.pool() + "/" + spec.image() + " exclusive-lock");
                }
                if (rc < 0) {
                    throw RbdErrors.of("rbd_lock_get_owners of " + spec, -rc);
                }
                long n = count.get(ValueLayout.JAVA_LONG, 0);
                List<String> out = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    out.add(owners.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(Long.MAX_VALUE).getString(0));
                }
                lib.rbdLockGetOwnersCleanup.invokeExact(owners, n);
                return out;
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
        }
        throw new IOException("rbd_lock_get_owners of " + spec + ": the owners kept changing");
    }

    /**
     * rbd_lock_break(RBD_LOCK_MODE_EXCLUSIVE, owner): takes the lock away from {@code owner} (as
     * {@link #lockOwners} named it) even while it is alive. With {@code rbd_blocklist_on_break_lock}
     * (set by {@link RbdCluster}) librbd first adds the owner's client address to the OSD map's
     * blocklist and waits for that map, so nothing the old owner sends later is applied by an OSD.
     * Returns 0, or the negative errno ({@code -ENOENT}: the lock was released meanwhile;
     * {@code -EBUSY}: another client owns it now).
     */
    int breakLock(String owner) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) lib.rbdLockBreak.invokeExact(image, Librbd.LOCK_MODE_EXCLUSIVE, arena.allocateFrom(owner));
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    /**
     * rbd_watchers_list: the addresses of the clients watching the image's header (every client
     * that has it open, in the same form as {@link #lockOwners}). A client that died stays a
     * watcher until its watch times out ({@code osd_client_watch_timeout}, 30 s) or it is
     * blocklisted.
     */
    List<String> watcherAddresses() throws IOException {
        long slots = OWNER_SLOTS;
        for (int attempt = 0; attempt < 3; attempt++) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment watchers = arena.allocate(Librbd.WATCHER_SIZE * slots, 8);
                MemorySegment count = arena.allocate(ValueLayout.JAVA_LONG);
                count.set(ValueLayout.JAVA_LONG, 0, slots);
                int rc = (int) lib.rbdWatchersList.invokeExact(image, watchers, count);
                if (rc == -RbdErrors.ERANGE) {
                    slots = Math.max(slots + 1, count.get(ValueLayout.JAVA_LONG, 0));
                    continue;
                }
                if (rc < 0) {
                    throw RbdErrors.of("rbd_watchers_list of " + spec, -rc);
                }
                long n = count.get(ValueLayout.JAVA_LONG, 0);
                List<String> out = new ArrayList<>();
                for (long i = 0; i < n; i++) {
                    MemorySegment addr = watchers.get(ValueLayout.ADDRESS, i * Librbd.WATCHER_SIZE);
                    out.add(addr.reinterpret(Long.MAX_VALUE).getString(0));
                }
                lib.rbdWatchersListCleanup.invokeExact(watchers, n);
                return out;
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw Librbd.rethrow(t);
            }
        }
        throw new IOException("rbd_watchers_list of " + spec + ": the watchers kept changing");
    }

    /** The cluster connection this image uses. */
    RbdCluster cluster() {
        return cluster;
    }

    /** rbd_close (librbd waits for its own operations), then the cluster reference is dropped. */
    @Override
    public void close() throws IOException {
        try {
            int rc = (int) lib.rbdClose.invokeExact(image);
            if (rc < 0) {
                throw RbdErrors.of("closing " + spec, -rc);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        } finally {
            cluster.release();
        }
    }

    @Override
    public String toString() {
        return spec + " in " + cluster;
    }
}
