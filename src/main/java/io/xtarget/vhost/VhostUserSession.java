package io.xtarget.vhost;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back-end of one vhost-user connection (QEMU's docs/interop/vhost-user.rst): reads the
 * front-end's messages in order on its own thread and applies them to the device's virtqueues and
 * memory table; {@link QueuePoller} serves the rings meanwhile. What it offers:
 *
 * <ul>
 *   <li>features (GET/SET_FEATURES): VIRTIO_F_VERSION_1, VIRTIO_RING_F_INDIRECT_DESC,
 *       VIRTIO_RING_F_EVENT_IDX, VIRTIO_SCSI_F_HOTPLUG, VIRTIO_SCSI_F_CHANGE and
 *       VHOST_USER_F_PROTOCOL_FEATURES; a front-end that acknowledges anything else is refused;
 *   <li>protocol features: MQ (GET_QUEUE_NUM), REPLY_ACK (need_reply answered with 0 or 1),
 *       RESET_DEVICE. CONFIG is not offered: QEMU's vhost-user-scsi builds the config space
 *       itself and warns about a back-end offering it; a front-end that sends GET_CONFIG anyway
 *       gets our virtio-scsi config space ({@link VirtioScsiConfig}); SET_CONFIG is refused.
 * </ul>
 *
 * <p>Ring messages follow "Ring states": a ring starts on SET_VRING_KICK, stops on GET_VRING_BASE
 * (after the buffers in flight were returned, so the base it answers is consistent), and is
 * enabled from the start unless protocol features were negotiated, then by SET_VRING_ENABLE.
 * Changes to rings and memory happen under {@link #rings}, which the poll thread holds while it
 * takes buffers. Any malformed or impossible message is a {@link DeviceException}: the
 * connection ends, and the controller cleans up.
 */
final class VhostUserSession {
    private static final Logger log = LoggerFactory.getLogger(VhostUserSession.class);

    static final long F_VERSION_1 = 1L << 32;
    static final long F_INDIRECT_DESC = 1L << 28;
    static final long F_EVENT_IDX = 1L << 29;
    static final long F_PROTOCOL_FEATURES = 1L << 30;
    static final long OFFERED_FEATURES = F_VERSION_1 | F_INDIRECT_DESC | F_EVENT_IDX | F_PROTOCOL_FEATURES
            | 1L << VirtioScsi.F_HOTPLUG | 1L << VirtioScsi.F_CHANGE;
    static final long P_MQ = 1L;
    static final long P_REPLY_ACK = 1L << 3;
    static final long P_RESET_DEVICE = 1L << 13;
    static final long OFFERED_PROTOCOL = P_MQ | P_REPLY_ACK | P_RESET_DEVICE;
    /** Bit 8 of the u64 of SET_VRING_KICK/CALL/ERR: no descriptor comes with it. */
    private static final long VRING_NOFD = 1L << 8;
    /** How long GET_VRING_BASE waits for a ring's buffers in flight. */
    static final long DRAIN_MILLIS = 10_000;

    private final VhostUserChannel channel;
    private final Virtqueue[] queues;
    private final VirtioScsiConfig config;
    private final Runnable wakePoller;
    private final StopHook stopHook;
    final ReentrantLock rings = new ReentrantLock();
    private GuestMemory memory;
    private long features;
    private long protocolFeatures;

    /** What the device does when a ring stops with buffers still in flight: abort them. */
    interface StopHook {
        void abortInFlight(Virtqueue q);
    }

    VhostUserSession(VhostUserChannel channel, Virtqueue[] queues, VirtioScsiConfig config, Runnable wakePoller,
            StopHook stopHook) {
        this.channel = channel;
        this.queues = queues;
        this.config = config;
        this.wakePoller = wakePoller;
        this.stopHook = stopHook;
    }

    /** Reads and handles messages until the front-end disconnects (returns) or breaks the protocol (throws). */
    void serve() throws IOException, DeviceException {
        VhostUserMessage m;
        while ((m = channel.read()) != null) {
            handle(m);
        }
    }

    /** Handles one message; every descriptor it carried is adopted or closed. */
    void handle(VhostUserMessage m) throws IOException, DeviceException {
        if (log.isDebugEnabled()) {
            log.debug("{} {}", m, m.payload().length == 8 ? "0x" + Long.toHexString(m.body().getLong(0)) : "");
        }
        List<Integer> fds = new ArrayList<>(m.fds());
        try {
            byte[] reply = dispatch(m, fds);
            if (reply != null) {
                channel.send(VhostUserMessage.reply(m.request(), reply));
            } else if (m.needsReply() && (protocolFeatures & P_REPLY_ACK) != 0) {
                channel.send(VhostUserMessage.reply(m.request(), VhostUserMessage.u64(0)));
            }
        } finally {
            fds.forEach(UnixFds::closeQuietly); // whatever was not adopted
        }
    }

    /** @return the reply payload of requests that have one, else null */
    private byte[] dispatch(VhostUserMessage m, List<Integer> fds) throws IOException, DeviceException {
        int r = m.request();
        if (r != VhostUserRequest.SET_MEM_TABLE && r != VhostUserRequest.SET_VRING_KICK
                && r != VhostUserRequest.SET_VRING_CALL && r != VhostUserRequest.SET_VRING_ERR) {
            m.requireFds(0);
        }
        switch (r) {
            case VhostUserRequest.GET_FEATURES -> {
                m.requireSize(0);
                return VhostUserMessage.u64(OFFERED_FEATURES);
            }
            case VhostUserRequest.SET_FEATURES -> setFeatures(m.u64());
            case VhostUserRequest.GET_PROTOCOL_FEATURES -> {
                m.requireSize(0);
                return VhostUserMessage.u64(OFFERED_PROTOCOL);
            }
            case VhostUserRequest.SET_PROTOCOL_FEATURES -> {
                long p = m.u64();
                if ((p & ~OFFERED_PROTOCOL) != 0) {
                    throw new DeviceException("protocol features 0x" + Long.toHexString(p & ~OFFERED_PROTOCOL)
                            + " were not offered");
                }
                protocolFeatures = p;
            }
            case VhostUserRequest.GET_QUEUE_NUM -> {
                m.requireSize(0);
                return VhostUserMessage.u64(queues.length);
            }
            case VhostUserRequest.SET_OWNER -> m.requireSize(0);
            case VhostUserRequest.RESET_OWNER, VhostUserRequest.RESET_DEVICE -> {
                m.requireSize(0);
                reset();
            }
            case VhostUserRequest.SET_MEM_TABLE -> setMemTable(m, fds);
            case VhostUserRequest.SET_VRING_NUM -> withRings(() -> queue(m, 8).setSize(m.body().getInt(4)));
            case VhostUserRequest.SET_VRING_BASE -> withRings(() -> queue(m, 8).setBase(m.body().getInt(4)));
            case VhostUserRequest.SET_VRING_ADDR -> {
                ByteBuffer b = m.body();
                Virtqueue q = queue(m, 40);
                if ((b.getInt(4) & 1) != 0) {
                    throw new DeviceException("ring logging (VHOST_VRING_F_LOG) requested; VHOST_F_LOG_ALL was not offered");
                }
                withRings(() -> q.setAddresses(b.getLong(8), b.getLong(16), b.getLong(24)));
            }
            case VhostUserRequest.GET_VRING_BASE -> {
                Virtqueue q = queue(m, 8);
                return state(q.index, stop(q));
            }
            case VhostUserRequest.SET_VRING_KICK, VhostUserRequest.SET_VRING_CALL, VhostUserRequest.SET_VRING_ERR ->
                    setVringFd(m, fds);
            case VhostUserRequest.SET_VRING_ENABLE -> {
                Virtqueue q = queue(m, 8);
                int on = m.body().getInt(4);
                if (on != 0 && on != 1) {
                    throw new DeviceException("SET_VRING_ENABLE with " + on);
                }
                q.setEnabled(on == 1);
                wakePoller.run();
            }
            case VhostUserRequest.GET_CONFIG -> {
                return config.answer(m.body(), m.payload().length);
            }
            case VhostUserRequest.SET_CONFIG -> {
                log.info("front-end asked to change the virtio-scsi config space: refused (sense and CDB sizes are fixed)");
                if (m.needsReply() && (protocolFeatures & P_REPLY_ACK) != 0) {
                    return VhostUserMessage.u64(1);
                }
            }
            default -> {
                log.info("unsupported {} ignored", m);
                if (m.needsReply() && (protocolFeatures & P_REPLY_ACK) != 0) {
                    return VhostUserMessage.u64(1);
                }
            }
        }
        return null;
    }

    private interface RingChange {
        void apply() throws DeviceException;
    }

    private void withRings(RingChange c) throws DeviceException {
        rings.lock();
        try {
            c.apply();
        } finally {
            rings.unlock();
        }
        wakePoller.run();
    }

    private void setFeatures(long f) throws DeviceException {
        if ((f & ~OFFERED_FEATURES) != 0) {
            throw new DeviceException("features 0x" + Long.toHexString(f & ~OFFERED_FEATURES) + " were not offered");
        }
        features = f;
        boolean enabled = (f & F_PROTOCOL_FEATURES) == 0;
        withRings(() -> {
            for (Virtqueue q : queues) {
                q.setFeatures((f & F_EVENT_IDX) != 0, (f & F_INDIRECT_DESC) != 0);
                if (enabled) {
                    q.setEnabled(true); // "the ring starts directly in the enabled state"
                }
            }
        });
    }

    long features() {
        return features;
    }

    /** The queue a vring message names (index in its first u32), with the payload size checked. */
    private Virtqueue queue(VhostUserMessage m, int size) throws DeviceException {
        m.requireSize(size);
        int index = m.body().getInt(0);
        return queueAt(index);
    }

    private Virtqueue queueAt(int index) throws DeviceException {
        if (index < 0 || index >= queues.length) {
            throw new DeviceException("queue index " + index + " (the device has " + queues.length + ")");
        }
        return queues[index];
    }

    private static byte[] state(int index, int num) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(index).putInt(num).array();
    }

    private void setMemTable(VhostUserMessage m, List<Integer> fds) throws DeviceException {
        ByteBuffer b = m.body();
        if (m.payload().length < 8) {
            throw new DeviceException("SET_MEM_TABLE of " + m.payload().length + " bytes");
        }
        int n = b.getInt(0);
        if (n < 1 || n > GuestMemory.MAX_REGIONS) {
            throw new DeviceException("SET_MEM_TABLE with " + Integer.toUnsignedString(n) + " regions (1 to "
                    + GuestMemory.MAX_REGIONS + ")");
        }
        m.requireSize(8 + 32 * n);
        m.requireFds(n);
        List<GuestMemory.RegionSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int at = 8 + 32 * i;
            specs.add(new GuestMemory.RegionSpec(b.getLong(at), b.getLong(at + 8), b.getLong(at + 16),
                    b.getLong(at + 24)));
        }
        GuestMemory next = GuestMemory.map(specs, fds); // the descriptors are closed by handle()
        GuestMemory before = null;
        rings.lock();
        try {
            before = memory;
            memory = next;
            for (Virtqueue q : queues) {
                q.setMemory(next);
            }
        } catch (DeviceException refused) {
            // a started ring is not inside the new table: the session ends, and close() releases
            // only the table now current, so the one it replaced is released here (its mappings
            // sit in a shared arena: a stray access after the unmap fails, it never reads freed memory)
            if (before != null) {
                before.release();
            }
            throw refused;
        } finally {
            rings.unlock();
        }
        if (before != null) {
            before.release();
        }
        log.debug("guest memory: {}", next);
    }

    private void setVringFd(VhostUserMessage m, List<Integer> fds) throws DeviceException {
        long v = m.u64();
        if ((v & ~(0xFFL | VRING_NOFD)) != 0) {
            throw new DeviceException(VhostUserRequest.name(m.request()) + " with 0x" + Long.toHexString(v));
        }
        Virtqueue q = queueAt((int) (v & 0xFF));
        boolean none = (v & VRING_NOFD) != 0;
        m.requireFds(none ? 0 : 1);
        Eventfd e = none ? null : Eventfd.adopt(fds.remove(0));
        switch (m.request()) {
            case VhostUserRequest.SET_VRING_KICK -> withRings(() -> q.start(e));
            case VhostUserRequest.SET_VRING_CALL -> q.setCall(e);
            default -> q.setErr(e);
        }
    }

    /**
     * Stops a ring (GET_VRING_BASE): no more buffers are taken; those in flight are returned
     * first, aborted through the core when they do not end within {@link #DRAIN_MILLIS}.
     */
    int stop(Virtqueue q) {
        rings.lock();
        try {
            q.beginStop();
            try {
                if (!q.awaitDrained(DRAIN_MILLIS)) {
                    log.warn("queue {}: {} buffer(s) still in flight after {} ms; aborting them", q.index,
                            q.inFlight(), DRAIN_MILLIS);
                    stopHook.abortInFlight(q);
                    q.awaitDrained(DRAIN_MILLIS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return q.finishStop();
        } finally {
            rings.unlock();
            wakePoller.run();
        }
    }

    /** RESET_DEVICE (or the deprecated RESET_OWNER): every ring stopped and reset; memory and protocol features stay. */
    void reset() {
        for (Virtqueue q : queues) {
            stop(q);
        }
        rings.lock();
        try {
            features = 0;
            for (Virtqueue q : queues) {
                q.reset();
            }
        } finally {
            rings.unlock();
        }
    }

    /** End of the session: rings reset, descriptors closed, the memory table released. */
    void close() {
        rings.lock();
        try {
            for (Virtqueue q : queues) {
                q.reset();
                try {
                    q.setMemory(null);
                } catch (DeviceException impossible) {
                    // no memory, nothing to resolve
                }
            }
            if (memory != null) {
                memory.release();
                memory = null;
            }
        } finally {
            rings.unlock();
        }
    }
}
