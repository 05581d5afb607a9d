package io.xtarget.backend.rbd;

import io.xtarget.backend.SharedRecord;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A {@link SharedRecord} in one RADOS object: reads with the object's version
 * ({@code rados_read}, {@code rados_get_last_version}), compare-and-swap as one write operation
 * ({@code rados_write_op_assert_version} or, for a new object, an exclusive create, then
 * {@code rados_write_op_write_full}: the OSD applies both or neither), and announcements by
 * watch/notify ({@link RadosWatch}).
 *
 * <p>Each record has its own pool contexts (one for reads and writes, whose last version is
 * read right after each read under the record's lock; one for watch and notify) on a cluster
 * connection that every record shares and no image uses ({@link RbdCluster#acquire(String,
 * String, String)}): a gateway fenced off an image by another gateway's takeover still reads,
 * writes and follows the reservations. The record holds a reference to it until closed.
 */
public final class RadosRecord implements SharedRecord {
    /** The largest record read: a few thousand registrations. */
    static final int MAX_BYTES = 4 << 20;
    private static final int ERANGE = 34;
    private static final int EOVERFLOW = 75;
    private static final int ECANCELED = 125;

    private final RbdCluster cluster;
    private final Librados lib;
    private final String pool;
    private final String object;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment oid;
    private final MemorySegment io;
    private final MemorySegment watchIo;
    private final RadosWatch watch;
    private volatile boolean closed;

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
            this.watch = new RadosWatch(lib, cluster, watchIo, oid, describe());
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

    private void checkOpen() throws IOException {
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
        checkOpen();
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
        checkOpen();
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
        watch.announce();
    }

    @Override
    public void follow(Runnable onChange) throws IOException {
        if (read().version() == 0) {
            replace(0, new byte[0]); // a watch needs the object; losing this race to a peer is fine
        }
        watch.follow(onChange);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        watch.close();
        synchronized (this) {
            destroy(io);
            destroy(watchIo);
        }
        cluster.release();
        arena.close();
    }

    @Override
    public String toString() {
        return describe();
    }

}
