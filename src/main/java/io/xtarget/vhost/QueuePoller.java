package io.xtarget.vhost;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The data-plane thread of one session: waits in poll(2) on the kick eventfd of every started
 * ring and on a wake-up eventfd of its own, and hands each kicked ring to the device. Rings the
 * front-end asked to have polled (no kick descriptor) are looked at every 10 ms. The
 * control thread wakes it whenever the set of rings changes; it holds the session's ring lock
 * while it takes buffers, so ring messages never change a ring under it.
 */
final class QueuePoller implements AutoCloseable {
    private static final int IDLE_MILLIS = 1000;
    private static final int POLLED_MILLIS = 10;

    private final VhostUserSession session;
    private final Virtqueue[] queues;
    private final VirtioScsiController device;
    private final Consumer<Exception> fail;
    private final Eventfd wake;
    private volatile boolean closed;
    private Thread thread;

    QueuePoller(VhostUserSession session, Virtqueue[] queues, VirtioScsiController device, Eventfd wake,
            Consumer<Exception> fail) {
        this.session = session;
        this.queues = queues;
        this.device = device;
        this.wake = wake;
        this.fail = fail;
    }

    void start(String name) {
        thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Makes the thread look at the rings again (a ring started, stopped or was enabled; an event waits). */
    void wake() {
        try {
            wake.signal();
        } catch (IOException e) {
            // the thread is ending
        }
    }

    private void run() {
        try {
            while (!closed) {
                List<Virtqueue> watched = new ArrayList<>();
                List<Eventfd> kicks = new ArrayList<>();
                boolean polled = false;
                for (Virtqueue q : queues) {
                    Eventfd k = q.kick();
                    if (k != null) {
                        watched.add(q);
                        kicks.add(k);
                    } else if (q.polled()) {
                        polled = true;
                    }
                }
                int[] fds = new int[kicks.size() + 1];
                fds[0] = wake.fd();
                for (int i = 0; i < kicks.size(); i++) {
                    fds[i + 1] = kicks.get(i).fd();
                }
                boolean[] ready = UnixFds.poll(fds, polled ? POLLED_MILLIS : IDLE_MILLIS);
                if (closed) {
                    return;
                }
                boolean woken = ready[0];
                if (woken) {
                    wake.drain();
                }
                session.rings.lock();
                try {
                    for (int i = 0; i < kicks.size(); i++) {
                        if (ready[i + 1]) {
                            kicks.get(i).drain();
                            device.kicked(watched.get(i));
                        }
                    }
                    if (woken) {
                        // a ring started or was enabled: buffers may have been made available (and
                        // kicked) before, so look at every running ring once
                        for (Virtqueue q : queues) {
                            if (q.state() == Virtqueue.State.RUNNING) {
                                device.kicked(q);
                            }
                        }
                    }
                    if (polled) {
                        for (Virtqueue q : queues) {
                            if (q.polled()) {
                                device.kicked(q);
                            }
                        }
                    }
                    device.events().flush();
                } finally {
                    session.rings.unlock();
                }
            }
        } catch (DeviceException | IOException | RuntimeException e) {
            if (!closed) {
                fail.accept(e);
            }
        }
    }

    /** Stops the thread and waits for it; closes the wake-up descriptor. */
    @Override
    public void close() {
        closed = true;
        wake();
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        wake.close();
    }
}
