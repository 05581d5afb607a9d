package io.xtarget.vhost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

/**
 * The event queue (virtio 1.1 5.6.6.3): the driver keeps device-writable buffers of
 * event_info_size bytes there; we fill one per event (event, lun[8], reason). Events wait here
 * until the driver has a buffer for them; when more than {@link #MAX_PENDING} wait, the oldest are
 * dropped and the next event sent carries VIRTIO_SCSI_T_EVENTS_MISSED, so the driver rescans.
 * Events are posted from any thread and written by the poll thread ({@link #flush}), woken through
 * {@code wake}.
 */
final class EventQueue {
    static final int MAX_PENDING = 64;

    private final Virtqueue queue;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private Runnable wake = () -> { };
    private boolean missed;

    EventQueue(Virtqueue queue) {
        this.queue = queue;
    }

    /** Who makes the poll thread call {@link #flush}. */
    synchronized void wakeWith(Runnable w) {
        this.wake = w;
    }

    /** Queues an event for {@code lun} of target 0 and has the poll thread send it. */
    void post(int event, int lun, int reason) {
        ByteBuffer b = ByteBuffer.allocate(VirtioScsi.EVENT_INFO_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(event).put(VirtioScsi.lunBytes(lun)).putInt(reason);
        Runnable w;
        synchronized (this) {
            if (pending.size() >= MAX_PENDING) {
                pending.pollFirst();
                missed = true;
            }
            pending.addLast(b.array());
            w = wake;
        }
        w.run();
    }

    synchronized int pending() {
        return pending.size();
    }

    /** Sends what waits into the buffers the driver made available. */
    synchronized void flush() throws DeviceException {
        boolean sent = false;
        while (!pending.isEmpty()) {
            Virtqueue.Popped p = queue.pop();
            if (p == null) {
                break;
            }
            if (p.chain().writableBytes() < VirtioScsi.EVENT_INFO_SIZE) {
                queue.push(p, 0);
                throw new DeviceException("event buffer of " + p.chain().writableBytes() + " writable bytes (needs "
                        + VirtioScsi.EVENT_INFO_SIZE + ")");
            }
            byte[] e = pending.pollFirst();
            if (missed) {
                e = e.clone();
                ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN).putInt(0, ByteBuffer.wrap(e)
                        .order(ByteOrder.LITTLE_ENDIAN).getInt(0) | VirtioScsi.T_EVENTS_MISSED);
                missed = false;
            }
            p.chain().write(0, MemorySegment.ofArray(e));
            queue.push(p, VirtioScsi.EVENT_INFO_SIZE);
            sent = true;
        }
        if (sent) {
            try {
                queue.notifyGuest();
            } catch (java.io.IOException ignored) {
                // the front-end is gone; the session ends on its own
            }
        }
    }
}
