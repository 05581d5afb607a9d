package io.xtarget.vhost;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An eventfd(2) descriptor: the front-end's kick (the driver made buffers available) and call
 * (the device used buffers: interrupt the guest) signals of one virtqueue, or a wake-up of our own
 * poll loop. Owns its descriptor: {@link #close} closes it once. Signalling a closed one is a no-op,
 * so a command completing after its session ended cannot touch a reused descriptor number.
 */
final class Eventfd implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final MemorySegment buf = Arena.ofAuto().allocate(8, 8);

    private Eventfd(int fd) {
        this.fd = fd;
    }

    /**
     * Adopts a descriptor received from the front-end, made non-blocking: a front-end that keeps
     * its call counter saturated cannot park the thread that signals it (another guest's command
     * may be next on that worker); a signal then finds the counter non-zero and is not needed.
     *
     * @throws DeviceException when the descriptor takes no O_NONBLOCK (it is closed)
     */
    static Eventfd adopt(int fd) throws DeviceException {
        try {
            UnixFds.setNonBlocking(fd);
        } catch (IOException e) {
            UnixFds.closeQuietly(fd);
            throw new DeviceException("vring descriptor " + fd + ": " + e.getMessage(), e);
        }
        return new Eventfd(fd);
    }

    /** A new non-blocking eventfd of our own. */
    static Eventfd create() throws IOException {
        return new Eventfd(UnixFds.eventfd(UnixFds.EFD_CLOEXEC | UnixFds.EFD_NONBLOCK));
    }

    int fd() {
        return fd;
    }

    /** Signals the reader (adds one to the counter). */
    synchronized void signal() throws IOException {
        if (!closed.get()) {
            UnixFds.write8(fd, buf, 1);
        }
    }

    /**
     * Clears the counter after poll(2) said it is readable; the value means nothing (vhost-user:
     * "the 8-byte value itself has no meaning"). A blocking descriptor from the front-end is read
     * only when poll reported it readable, so this never blocks.
     */
    synchronized void drain() throws IOException {
        if (!closed.get()) {
            UnixFds.read8(fd, buf);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            synchronized (this) {
                UnixFds.closeQuietly(fd);
            }
        }
    }

    @Override
    public String toString() {
        return "eventfd " + fd;
    }
}
