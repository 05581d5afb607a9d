package io.xtarget.vhost;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.TaskManager;
import io.xtarget.scsi.ScsiLimits;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One front-end connected to a controller's socket, from accept to clean-up: the vhost-user
 * session on its own thread, the poll thread, the virtio-scsi device. When the front-end goes
 * away (QEMU quit or was killed: end of stream) or broke the protocol, everything it had is undone
 * in order: the poll thread stops, the rings stop taking buffers, the commands in flight are
 * aborted through the core as an I_T nexus loss (SAM-5 6.3.4: tasks, SPC-2 reservation,
 * PREVENTs) and awaited, then the rings' descriptors are closed and the guest memory unmapped
 * (once the last command using it ended). Nothing of it outlives the connection, so a vanished
 * guest leaves nothing behind, and the controller accepts the next front-end.
 */
final class VhostConnection {
    private static final Logger log = LoggerFactory.getLogger(VhostConnection.class);
    /** Request queues served per controller (GET_QUEUE_NUM answers this plus the control and event queues). */
    static final int MAX_REQUEST_QUEUES = 16;
    /** Either part of one chain: the largest transfer plus room for the headers. */
    static final long MAX_CHAIN_BYTES = ScsiLimits.MAX_TRANSFER_BYTES + 4096L;
    private static final long ABORT_WAIT_SECONDS = 30;
    /** Longest clean-up: the wait for aborted commands and then some. */
    static final long END_WAIT_MILLIS = TimeUnit.SECONDS.toMillis(ABORT_WAIT_SECONDS + 10);

    private final VhostController controller;
    private final VhostUserChannel channel;
    private final Virtqueue[] queues = new Virtqueue[2 + MAX_REQUEST_QUEUES];
    private final VirtioScsiController device;
    private final VhostUserSession session;
    private final QueuePoller poller;
    private final String name;
    private volatile Exception failure;
    private volatile boolean ending;
    private Thread thread;

    VhostConnection(VhostController controller, int fd, ScsiCore core, Executor workers, BufferBudget budget)
            throws IOException {
        this.controller = controller;
        this.name = controller.toString();
        this.channel = new VhostUserChannel(fd);
        for (int i = 0; i < queues.length; i++) {
            queues[i] = new Virtqueue(i, MAX_CHAIN_BYTES);
        }
        this.device = new VirtioScsiController(name, core, controller.nexus(), controller::lunMap, workers, budget,
                controller.traffic(), queues[VirtioScsi.CONTROL_QUEUE], queues[VirtioScsi.EVENT_QUEUE]);
        Eventfd wake;
        try {
            wake = Eventfd.create();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        QueuePoller[] p = new QueuePoller[1];
        this.session = new VhostUserSession(channel, queues, new VirtioScsiConfig(MAX_REQUEST_QUEUES),
                () -> p[0].wake(), this::abortInFlight);
        this.poller = p[0] = new QueuePoller(session, queues, device, wake, this::fail);
        device.events().wakeWith(poller::wake);
    }

    VirtioScsiController device() {
        return device;
    }

    void start() {
        thread = Thread.ofPlatform().daemon().name("vhost " + controller.socketName()).start(this::run);
    }

    private void run() {
        ScsiCore core = device.core();
        core.nexusFormed(device.nexus(), controller.lunMap());
        device.listen(controller.lunMap());
        poller.start("vhost-rings " + controller.socketName());
        log.info("{}: front-end connected", name);
        try {
            session.serve();
            Exception f = failure;
            if (f == null) {
                log.info("{}: front-end disconnected", name);
            } else {
                log.warn("{}: device error, session ended: {}", name, f.getMessage());
            }
        } catch (DeviceException e) {
            log.warn("{}: protocol error, session ended: {}", name, e.getMessage());
        } catch (IOException | RuntimeException e) {
            log.warn("{}: session ended: {}", name, e.toString());
        } finally {
            ending = true;
            cleanUp();
            controller.connectionEnded(this);
        }
    }

    /** The poll thread found the guest breaking a ring: end the connection. */
    private void fail(Exception e) {
        failure = e;
        channel.shutdown();
    }

    /** Whether the front-end is gone and the clean-up runs. */
    boolean ending() {
        return ending;
    }

    /** Ends the connection from outside (server shutdown, controller removed); returns once cleaned up. */
    void end() {
        channel.shutdown();
        awaitEnd(END_WAIT_MILLIS);
    }

    /** Waits until the clean-up is done, at most {@code millis}. */
    void awaitEnd(long millis) {
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A ring stops while commands of it hang: abort them (GET_VRING_BASE, see VhostUserSession#stop). */
    private void abortInFlight(Virtqueue q) {
        TaskManager tm = device.core().taskManager();
        for (VirtioScsiCommand c : device.inFlight()) {
            if (c.popped().queue() == q) {
                tm.abortTask(c.task(), device.nexus());
            }
        }
    }

    private void cleanUp() {
        device.stopListening(null);
        poller.close();
        for (Virtqueue q : queues) {
            q.beginStop();
        }
        LunMap map = controller.lunMap();
        TaskManager.Aborted a = device.core().nexusLost(device.nexus(), map);
        try {
            if (!a.await(ABORT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                log.warn("{}: {} aborted command(s) did not end within {} s", name, a.tasks().size(), ABORT_WAIT_SECONDS);
            }
            for (Virtqueue q : queues) {
                q.awaitDrained(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!a.tasks().isEmpty()) {
            log.info("{}: aborted {} command(s) in flight (I_T nexus loss)", name, a.tasks().size());
        }
        session.close();
        channel.close();
    }
}
