package io.xtarget.backend.rbd;


import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.xtarget.backend.PeerChannel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message channel between the gateways of one RBD image: a RADOS watch on an object of its own
 * next to the image ({@code xtarget.gateway.IMAGE} in the image's pool; not the image header,
 * whose notifications librbd decodes as its own), and RADOS notify to send. A message sent with
 * {@link #send} reaches the listener of every other channel on that object (each server's own
 * messages are not given back to it); {@code send} returns once every watcher acknowledged it,
 * which each one does after its listener returned, or after the timeout.
 *
 * <p>The channel has a cluster connection of its own (a {@code rados_t} apart from the images'):
 * when a gateway is fenced, the blocklist is of the images' connection, and the channel keeps
 * working. Messages are at most a few hundred bytes; the listener runs on a librados thread and
 * must not block.
 *
 * <p>Bindings: {@code rados_write_full}, {@code rados_watch2}, {@code rados_notify2},
 * {@code rados_notify_ack}, {@code rados_unwatch2}, {@code rados_watch_flush},
 * {@code rados_buffer_free} of {@code rados/librados.h} (librados2), from {@link Librados};
 * connecting uses {@link Librbd}'s handles.
 */
public final class RadosNotifyChannel implements PeerChannel {
    private static final Logger log = LoggerFactory.getLogger(RadosNotifyChannel.class);

    /** {@code void (*rados_watchcb2_t)(void *arg, uint64_t notify_id, uint64_t handle, uint64_t notifier_id, void *data, size_t len)}. */
    private static final FunctionDescriptor WATCH_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG,
            JAVA_LONG, ADDRESS, JAVA_LONG);
    /** {@code void (*rados_watcherrcb_t)(void *pre, uint64_t cookie, int err)}. */
    private static final FunctionDescriptor WATCH_ERROR_CALLBACK = FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG,
            JAVA_INT);

    private final Librbd lib;
    private final Librados rados;
    private final String description;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment cluster;
    private final MemorySegment io;
    private final MemorySegment object;
    /** Gets every message from another channel; what it returns (or null) goes back in the acknowledgement. */
    private final Function<byte[], byte[]> responder;
    /** Sends hold it shared while their notify runs; {@link #close} holds it exclusively. */
    private final ReentrantReadWriteLock inFlight = new ReentrantReadWriteLock();
    /** Prefixed to every message sent, so that this channel's own messages are not given back to it. */
    private final byte[] self = (UUID.randomUUID() + " ").getBytes(StandardCharsets.US_ASCII);
    private long cookie;
    private volatile boolean broken;
    private volatile boolean closed;

    private RadosNotifyChannel(Librbd lib, Librados rados, String description, MemorySegment cluster, MemorySegment io,
            String object, Function<byte[], byte[]> responder) {
        this.lib = lib;
        this.rados = rados;
        this.description = description;
        this.cluster = cluster;
        this.io = io;
        this.object = arena.allocateFrom(object);
        this.responder = responder;
    }

    /**
     * Connects to the cluster of {@code image} and watches the channel object of the image,
     * creating it when missing.
     *
     * @param listener gets every message another channel on the object sends (its bytes as sent)
     * @throws IOException when librados is missing, the cluster cannot be reached or the watch is refused
     */
    public static RadosNotifyChannel open(RbdImageSpec image, Consumer<byte[]> listener) throws IOException {
        return open(image, "xtarget.gateway.", listener);
    }

    /**
     * As {@link #open(RbdImageSpec, Consumer)}, on the object {@code prefix} + the image's name
     * (a channel for one purpose: each object's messages reach only that object's channels).
     */
    static RadosNotifyChannel open(RbdImageSpec image, String prefix, Consumer<byte[]> listener) throws IOException {
        return openAnswering(image, prefix, m -> {
            listener.accept(m);
            return null;
        });
    }

    /**
     * As {@link #open(RbdImageSpec, String, Consumer)}, with a responder whose result (or null)
     * is sent back in the acknowledgement of each message: {@link #ask} finds it in its reply.
     */
    static RadosNotifyChannel openAnswering(RbdImageSpec image, String prefix, Function<byte[], byte[]> listener)
            throws IOException {
        Librbd lib = Librbd.get();
        Librados rados = Librados.get();
        String description = "gateway channel of " + image;
        MemorySegment cluster = null;
        MemorySegment io = null;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            MemorySegment user = image.user() == null ? MemorySegment.NULL : a.allocateFrom(image.user());
            check("rados_create for the " + description, (int) lib.radosCreate.invokeExact(out, user));
            cluster = out.get(ADDRESS, 0);
            MemorySegment conf = image.cephConf() == null ? MemorySegment.NULL : a.allocateFrom(image.cephConf());
            check("reading " + image.cephConf(), (int) lib.radosConfReadFile.invokeExact(cluster, conf));
            for (String[] kv : new String[][] {{"client_mount_timeout", "" + RbdCluster.CONNECT_TIMEOUT_SECONDS},
                    {"rados_osd_op_timeout", "" + RbdCluster.OP_TIMEOUT_SECONDS},
                    {"rados_mon_op_timeout", "" + RbdCluster.OP_TIMEOUT_SECONDS}}) {
                check("setting " + kv[0], (int) lib.radosConfSet.invokeExact(cluster, a.allocateFrom(kv[0]),
                        a.allocateFrom(kv[1])));
            }
            check("connecting the " + description, (int) lib.radosConnect.invokeExact(cluster));
            check("opening pool " + image.pool(), (int) lib.radosIoctxCreate.invokeExact(cluster,
                    a.allocateFrom(image.pool()), out));
            io = out.get(ADDRESS, 0);
            RadosNotifyChannel c = new RadosNotifyChannel(lib, rados, description, cluster, io,
                    prefix + image.image(), listener);
            c.watch();
            return c;
        } catch (IOException | RuntimeException | Error e) {
            shutdown(lib, cluster, io);
            throw e;
        } catch (Throwable t) {
            shutdown(lib, cluster, io);
            throw Librbd.rethrow(t);
        }
    }

    private static void shutdown(Librbd lib, MemorySegment cluster, MemorySegment io) {
        try {
            if (io != null) {
                lib.radosIoctxDestroy.invokeExact(io);
            }
            if (cluster != null) {
                lib.radosShutdown.invokeExact(cluster);
            }
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        }
    }

    private void watch() throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment empty = a.allocate(1);
            // the object must exist to be watched; its content means nothing
            check("creating the object of the " + description,
                    (int) rados.writeFull.invokeExact(io, object, empty, 0L));
            MethodHandles.Lookup l = MethodHandles.lookup();
            MemorySegment onNotify = Linker.nativeLinker().upcallStub(l.bind(this, "onNotify", MethodType.methodType(void.class,
                    MemorySegment.class, long.class, long.class, long.class, MemorySegment.class, long.class)),
                    WATCH_CALLBACK, arena);
            MemorySegment onError = Linker.nativeLinker().upcallStub(l.bind(this, "onError", MethodType.methodType(void.class,
                    MemorySegment.class, long.class, int.class)), WATCH_ERROR_CALLBACK, arena);
            MemorySegment out = a.allocate(JAVA_LONG);
            check("watching the " + description, (int) rados.watch2.invokeExact(io, object, out, onNotify, onError,
                    MemorySegment.NULL));
            cookie = out.get(JAVA_LONG, 0);
        }
    }

    /** rados_watchcb2_t: on a librados thread; never throws (an exception here ends the JVM). */
    private void onNotify(MemorySegment arg, long notifyId, long handle, long notifierId, MemorySegment data,
            long length) {
        byte[] answer = null;
        try {
            byte[] message = data.reinterpret(length).toArray(ValueLayout.JAVA_BYTE);
            if (!Arrays.equals(message, 0, Math.min(self.length, message.length), self, 0, self.length)) {
                int space = indexOf(message, (byte) ' ');
                answer = responder.apply(Arrays.copyOfRange(message, space + 1, message.length));
            }
        } catch (RuntimeException | Error e) {
            log.warn("{}: a message could not be handled: {}", description, e.toString());
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment payload = MemorySegment.NULL;
            int n = 0;
            if (answer != null && answer.length > 0) {
                payload = a.allocate(answer.length);
                MemorySegment.copy(answer, 0, payload, ValueLayout.JAVA_BYTE, 0, answer.length);
                n = answer.length;
            }
            int rc = (int) rados.notifyAck.invokeExact(io, object, notifyId, handle, payload, n);
            if (rc < 0) {
                log.warn("{}: acknowledging a message failed: {}", description, RbdErrors.name(-rc));
            }
        } catch (Throwable t) {
            log.warn("{}: acknowledging a message failed: {}", description, t.toString());
        }
    }

    /** rados_watcherrcb_t: the watch was lost (e.g. the connection timed out); {@link #broken} from now on. */
    private void onError(MemorySegment arg, long watchCookie, int err) {
        broken = true;
        log.warn("{}: the watch was lost ({}); messages are not received until it is opened again", description,
                RbdErrors.name(-err));
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A lease named {@code name} on this channel's object, on this channel's connection (so a
     * blocklist of the images' connection leaves it alone); valid until the channel closes.
     *
     * @throws IOException when librados lacks the lock calls
     */
    RadosLease lease(String name, Duration duration) throws IOException {
        return new RadosLease(rados, io, object, name, duration, description);
    }

    /** Whether the watch was lost: open a new channel. */
    @Override
    public boolean broken() {
        return broken;
    }

    /**
     * What a {@link #ask} got back: whether every watcher acknowledged in time, and librados' reply
     * buffer (the acknowledgements' payloads among Ceph's encoding of who acknowledged and who did
     * not; present on a timeout too), searched with {@link #contains}.
     */
    record Answer(boolean complete, byte[] reply) {
        /** Whether some acknowledgement carried {@code payload} (a byte string unlikely to appear otherwise). */
        boolean contains(byte[] payload) {
            outer:
            for (int i = 0; i + payload.length <= reply.length; i++) {
                for (int k = 0; k < payload.length; k++) {
                    if (reply[i + k] != payload[k]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }
    }

    /**
     * Sends {@code message} to the other channels on the object and waits until each acknowledged
     * it (its listener returned) or {@code timeout} passed.
     *
     * @throws IOException when the cluster refused the notification or a watcher did not answer
     *     in time ({@code -ETIMEDOUT}; the others did get it)
     */
    @Override
    public void send(byte[] message, Duration timeout) throws IOException {
        if (!ask(message, timeout).complete()) {
            throw RbdErrors.of("notifying the " + description, RbdErrors.ETIMEDOUT);
        }
    }

    /**
     * As {@link #send}, returning the acknowledgements instead of failing when a watcher did not
     * answer in time. A {@link #close} waits for asks in flight (at most their timeout).
     *
     * @throws IOException when the cluster refused the notification for another reason, or the
     *     channel is closed
     */
    Answer ask(byte[] message, Duration timeout) throws IOException {
        byte[] whole = new byte[self.length + message.length];
        System.arraycopy(self, 0, whole, 0, self.length);
        System.arraycopy(message, 0, whole, self.length, message.length);
        inFlight.readLock().lock();
        try (Arena a = Arena.ofConfined()) {
            if (closed) {
                throw new IOException(description + " is closed");
            }
            MemorySegment buf = a.allocate(whole.length);
            MemorySegment.copy(whole, 0, buf, ValueLayout.JAVA_BYTE, 0, whole.length);
            MemorySegment reply = a.allocate(ADDRESS);
            MemorySegment replyLength = a.allocate(JAVA_LONG);
            int rc = (int) rados.notify2.invokeExact(io, object, buf, whole.length, timeout.toMillis(), reply,
                    replyLength);
            MemorySegment r = reply.get(ADDRESS, 0);
            byte[] bytes = new byte[0];
            if (!r.equals(MemorySegment.NULL)) {
                long n = Math.min(replyLength.get(JAVA_LONG, 0), 1 << 20);
                bytes = r.reinterpret(n).toArray(ValueLayout.JAVA_BYTE);
                rados.bufferFree.invokeExact(r);
            }
            if (rc == -RbdErrors.ETIMEDOUT) {
                return new Answer(false, bytes);
            }
            check("notifying the " + description, rc);
            return new Answer(true, bytes);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw Librbd.rethrow(t);
        } finally {
            inFlight.readLock().unlock();
        }
    }

    private static void check(String what, int rc) throws IOException {
        if (rc < 0) {
            throw RbdErrors.of(what, -rc);
        }
    }

    /** Stops watching, waits for callbacks in progress and disconnects. */
    @Override
    public void close() {
        inFlight.writeLock().lock(); // waits for asks in flight: their notify must not outlive the connection
        try {
            closeNow();
        } finally {
            inFlight.writeLock().unlock();
        }
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            int rc = (int) rados.unwatch2.invokeExact(io, cookie);
            if (rc < 0) {
                log.debug("{}: unwatch: {}", description, RbdErrors.name(-rc));
            }
            rc = (int) rados.watchFlush.invokeExact(cluster);
        } catch (Throwable t) {
            log.warn("{}: closing: {}", description, t.toString());
        }
        shutdown(lib, cluster, io);
        arena.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
