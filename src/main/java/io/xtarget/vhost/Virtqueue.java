package io.xtarget.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The device side of one split virtqueue (virtio 1.1 2.6): the descriptor table, the available
 * ring the driver fills and the used ring we fill, in guest memory at the front-end's user
 * addresses (VHOST_USER_SET_VRING_ADDR), with the vhost-user ring states (stopped, started and
 * enabled or disabled; "Ring states").
 *
 * <p>Indices are free-running 16-bit counters (2.6.6, 2.6.8). The available index is read with
 * acquire semantics, so the ring entry and descriptors it publishes are seen (2.6.13); a used
 * element is written before the used index is released (2.6.8.2). A driver that moves its index
 * more than Queue Size past ours breaks the ring ({@link DeviceException}).
 *
 * <p>Notifications: with VIRTIO_RING_F_EVENT_IDX (2.6.10) the guest is interrupted only when the
 * used index passes its used_event, and after draining we publish avail_event so the driver kicks
 * only for new buffers ({@link #rearm}); without it, the driver's VIRTQ_AVAIL_F_NO_INTERRUPT
 * flag is obeyed (2.6.7.2). Thread-safe: the poll thread pops, any thread pushes.
 */
final class Virtqueue {
    static final int MAX_SIZE = 32768;
    private static final int AVAIL_F_NO_INTERRUPT = 1;
    private static final VarHandle U16 = ValueLayout.JAVA_SHORT.varHandle();
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new ExceptionInInitializerError("virtio rings are little-endian; this host is not");
        }
    }

    /** stopped: not processed; running: popped and pushed; draining: only pushes of buffers in flight. */
    enum State { STOPPED, RUNNING, DRAINING }

    final int index;
    private final long maxChainBytes;
    private int size;
    private long descUser;
    private long availUser;
    private long usedUser;
    private boolean addressed;
    private MemorySegment desc;
    private MemorySegment avail;
    private MemorySegment used;
    private GuestMemory memory;
    private int lastAvail;
    private int usedIdx;
    private int signalledUsed;
    private boolean signalledValid;
    private boolean eventIdx;
    private boolean indirect;
    private boolean enabled;
    private State state = State.STOPPED;
    private Eventfd kick;
    private Eventfd call;
    private Eventfd err;
    private int inFlight;

    /** @param maxChainBytes the most bytes either part of one chain may have */
    Virtqueue(int index, long maxChainBytes) {
        this.index = index;
        this.maxChainBytes = maxChainBytes;
    }

    synchronized void setFeatures(boolean eventIdx, boolean indirect) {
        this.eventIdx = eventIdx;
        this.indirect = indirect;
    }

    synchronized void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    synchronized boolean enabled() {
        return enabled;
    }

    /** VHOST_USER_SET_VRING_NUM: Queue Size, a power of 2 up to 32768 (2.6). */
    synchronized void setSize(int num) throws DeviceException {
        if (num <= 0 || num > MAX_SIZE || Integer.bitCount(num) != 1) {
            throw new DeviceException("queue " + index + " size " + num + " (a power of 2, 1 to " + MAX_SIZE + ")");
        }
        if (state != State.STOPPED) {
            throw new DeviceException("queue " + index + " resized while started");
        }
        size = num;
        desc = avail = used = null;
    }

    synchronized int size() {
        return size;
    }

    /** VHOST_USER_SET_VRING_ADDR: front-end user addresses of the three parts. */
    synchronized void setAddresses(long descUser, long usedUser, long availUser) throws DeviceException {
        this.descUser = descUser;
        this.usedUser = usedUser;
        this.availUser = availUser;
        this.addressed = true;
        desc = avail = used = null;
        if (memory != null && size > 0) {
            resolve();
        }
    }

    /** VHOST_USER_SET_VRING_BASE: the next available index to process; refused on a started ring. */
    synchronized void setBase(int base) throws DeviceException {
        if (base < 0 || base > 0xFFFF) {
            throw new DeviceException("queue " + index + " base " + base + " is not a 16-bit index");
        }
        if (state != State.STOPPED) {
            // the device would take again buffers it already has in flight (vhost-user: the base is
            // set before the ring starts, or after GET_VRING_BASE stopped it)
            throw new DeviceException("queue " + index + " base set while started");
        }
        lastAvail = base;
    }

    /** A new memory table: ring addresses are translated again. */
    synchronized void setMemory(GuestMemory m) throws DeviceException {
        memory = m;
        desc = avail = used = null;
        if (m != null && addressed && size > 0) {
            resolve();
        }
    }

    private void resolve() throws DeviceException {
        MemorySegment d = memory.user(descUser, 16L * size);
        MemorySegment a = memory.user(availUser, 6 + 2L * size);
        MemorySegment u = memory.user(usedUser, 6 + 8L * size);
        if (d.address() % 16 != 0 || a.address() % 2 != 0 || u.address() % 4 != 0) {
            throw new DeviceException("queue " + index + " ring parts misaligned (2.6: 16, 2 and 4 bytes)");
        }
        desc = d;
        avail = a;
        used = u;
    }

    /**
     * VHOST_USER_SET_VRING_KICK: the ring starts. A null kick means the front-end asked for
     * polling (the invalid-FD flag). The used index continues from what the ring holds.
     */
    synchronized void start(Eventfd newKick) throws DeviceException {
        if (kick != null) {
            kick.close();
        }
        kick = newKick;
        if (size == 0 || !addressed || memory == null) {
            throw new DeviceException("queue " + index + " kicked before its size, addresses and memory were set");
        }
        if (desc == null) {
            resolve();
        }
        usedIdx = Short.toUnsignedInt((short) U16.getAcquire(used, 2L));
        signalledValid = false;
        state = State.RUNNING;
    }

    /** The kick descriptor, or null (stopped, or polled). */
    synchronized Eventfd kick() {
        return state == State.RUNNING ? kick : null;
    }

    /** Whether the ring runs without a kick descriptor (the poll thread looks at it periodically). */
    synchronized boolean polled() {
        return state == State.RUNNING && kick == null;
    }

    synchronized void setCall(Eventfd e) {
        if (call != null) {
            call.close();
        }
        call = e;
    }

    synchronized void setErr(Eventfd e) {
        if (err != null) {
            err.close();
        }
        err = e;
    }

    synchronized State state() {
        return state;
    }

    /**
     * The next available chain, or null when there is none or the ring is not running and
     * enabled. The chain holds a reference to the memory table; {@link #push} releases it.
     */
    synchronized Popped pop() throws DeviceException {
        if (state != State.RUNNING || !enabled) {
            return null;
        }
        int availIdx = Short.toUnsignedInt((short) U16.getAcquire(avail, 2L));
        int pending = (availIdx - lastAvail) & 0xFFFF;
        if (pending == 0) {
            return null;
        }
        if (pending > size) {
            throw new DeviceException("queue " + index + ": available index " + availIdx + " is " + pending
                    + " ahead of " + lastAvail + ", more than the queue size " + size);
        }
        int head = Short.toUnsignedInt(avail.get(SHORT, 4 + 2L * (lastAvail & (size - 1))));
        DescriptorChain chain = DescriptorChain.walk(memory, desc, size, head, indirect, maxChainBytes);
        if (!memory.acquire()) {
            throw new DeviceException("queue " + index + ": memory table already released");
        }
        lastAvail = (lastAvail + 1) & 0xFFFF;
        inFlight++;
        return new Popped(this, chain, memory);
    }

    /**
     * Returns a chain to the driver with {@code written} bytes in its writable part (2.6.8) and
     * releases its memory reference. A ring that was stopped meanwhile is left alone.
     */
    synchronized void push(Popped p, long written) {
        if (!p.markReturned()) {
            return;
        }
        try {
            if (state != State.STOPPED && used != null) {
                int slot = usedIdx & (size - 1);
                used.set(INT, 4 + 8L * slot, p.chain().head());
                used.set(INT, 8 + 8L * slot, (int) Math.min(written, 0xFFFFFFFFL));
                usedIdx = (usedIdx + 1) & 0xFFFF;
                U16.setRelease(used, 2L, (short) usedIdx);
            }
        } finally {
            inFlight--;
            p.memory().release();
            notifyAll();
        }
    }

    /** Interrupts the guest if the driver wants to hear of the buffers used since last time. */
    void notifyGuest() throws java.io.IOException {
        Eventfd e;
        synchronized (this) {
            if (call == null || used == null || state == State.STOPPED) {
                return;
            }
            VarHandle.fullFence(); // the used index is visible before we read the driver's suppression
            int now = usedIdx;
            int before = signalledUsed;
            boolean valid = signalledValid;
            signalledUsed = now;
            signalledValid = true;
            if (valid && now == before) {
                return;
            }
            if (eventIdx) {
                int usedEvent = Short.toUnsignedInt(avail.get(SHORT, 4 + 2L * size));
                if (valid && ((now - usedEvent - 1) & 0xFFFF) >= ((now - before) & 0xFFFF)) {
                    return; // vring_need_event: the driver asked to hear later
                }
            } else if ((Short.toUnsignedInt(avail.get(SHORT, 0)) & AVAIL_F_NO_INTERRUPT) != 0) {
                return;
            }
            e = call;
        }
        e.signal();
    }

    /**
     * After draining: with EVENT_IDX publishes avail_event (the driver kicks once it passes our
     * next index), then looks again, closing the race with a buffer added meanwhile.
     *
     * @return whether more buffers are available
     */
    synchronized boolean rearm() {
        if (state != State.RUNNING || !enabled || avail == null) {
            return false;
        }
        if (eventIdx) {
            used.set(SHORT, 4 + 8L * size, (short) lastAvail);
        }
        VarHandle.fullFence();
        return Short.toUnsignedInt((short) U16.getAcquire(avail, 2L)) != lastAvail;
    }

    /** VHOST_USER_GET_VRING_BASE, first half: no more pops; buffers in flight may still be pushed. */
    synchronized void beginStop() {
        if (state == State.RUNNING) {
            state = State.DRAINING;
        }
    }

    /** Waits until every popped chain was pushed; false on timeout. */
    synchronized boolean awaitDrained(long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (inFlight > 0) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Second half: the ring is stopped, its kick closed; returns the next available index. */
    synchronized int finishStop() {
        state = State.STOPPED;
        if (kick != null) {
            kick.close();
            kick = null;
        }
        return lastAvail;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    /** Back to the initial state (device reset, end of the session): stopped, descriptors closed. */
    synchronized void reset() {
        state = State.STOPPED;
        size = 0;
        addressed = false;
        desc = avail = used = null;
        lastAvail = usedIdx = 0;
        enabled = false;
        setCall(null);
        setErr(null);
        if (kick != null) {
            kick.close();
            kick = null;
        }
    }

    /** A chain taken from this queue, with the memory table it was read from; returned once. */
    static final class Popped {
        private final Virtqueue queue;
        private final DescriptorChain chain;
        private final GuestMemory memory;
        private boolean returned;

        Popped(Virtqueue queue, DescriptorChain chain, GuestMemory memory) {
            this.queue = queue;
            this.chain = chain;
            this.memory = memory;
        }

        Virtqueue queue() {
            return queue;
        }

        DescriptorChain chain() {
            return chain;
        }

        GuestMemory memory() {
            return memory;
        }

        /** False when it was returned already (under the queue's lock). */
        private boolean markReturned() {
            if (returned) {
                return false;
            }
            returned = true;
            return true;
        }
    }
}
