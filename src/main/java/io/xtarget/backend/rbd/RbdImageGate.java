package io.xtarget.backend.rbd;

import io.xtarget.backend.DetachedHolds;
import io.xtarget.backend.StoreFencedException;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The open image behind an {@link RbdStore} and the gate around it: an operation holds the gate
 * shared from {@link #enter} to {@link #exit}; {@link #close} and {@link #recover} hold it
 * exclusively, so they wait for operations in flight and no operation ever uses a closed
 * {@code rbd_image_t}.
 *
 * <p><b>Fencing.</b> Once an operation or a lock check finds this client blocklisted
 * ({@link #noted} of a {@link StoreFencedException} with reason BLOCKLISTED), the image is fenced:
 * {@link #enter} fails at once with {@link StoreFencedException} (nothing reaches librbd) until
 * {@link #recover} opened the image anew on a new cluster connection.
 */
final class RbdImageGate {
    private final RbdImageSpec spec;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    /** Operations started on one thread and completed on another ({@link #tryEnterDetached}). */
    private final DetachedHolds detached = new DetachedHolds(gate);
    /** Replaced by {@link #recover} under the write lock; null after a failed reopen (then still fenced). */
    private RbdImage image;
    private boolean closed;
    private volatile boolean fenced;

    RbdImageGate(RbdImage image) {
        this.image = image;
        this.spec = image.spec();
    }

    RbdImageSpec spec() {
        return spec;
    }

    /**
     * Starts an operation: the image to use, with the gate held shared until {@link #exit}.
     *
     * @throws StoreFencedException when fenced
     * @throws IOException when closed
     */
    RbdImage enter() throws IOException {
        gate.readLock().lock();
        if (closed) {
            gate.readLock().unlock();
            throw new IOException("RbdStore(" + spec + ") is closed");
        }
        if (fenced) {
            gate.readLock().unlock();
            throw new StoreFencedException(spec + ": another gateway took the image over and fenced this one",
                    StoreFencedException.Reason.BLOCKLISTED);
        }
        return image;
    }

    /** As {@link #enter}, but null instead of an exception when closed or fenced. */
    RbdImage tryEnter() {
        gate.readLock().lock();
        if (closed || fenced) {
            gate.readLock().unlock();
            return null;
        }
        return image;
    }

    void exit() {
        gate.readLock().unlock();
    }

    /**
     * Starts an asynchronous operation without waiting: the image, with a hold that
     * {@link #exitDetached} ends on any thread; null when closed, fenced, or the gate is held or
     * wanted exclusively (the caller then takes the blocking path, which waits or throws).
     */
    RbdImage tryEnterDetached() {
        // the image changes only under the write lock, which waits for this hold to end
        return detached.tryAcquire(() -> !closed && !fenced) ? image : null;
    }

    void exitDetached() {
        detached.release();
    }

    /** librbd's {@code -errno} for {@code what} as an exception; a blocklisted client fences the image. */
    IOException failure(String what, int errno) {
        return noted(RbdErrors.of(what, errno));
    }

    /** Throws unless a read of {@code n} bytes at {@code offset} returned them all ({@code rv}: bytes or -errno). */
    void requireRead(long rv, int n, long offset) throws IOException {
        if (rv < 0) {
            throw failure("read of " + n + " bytes of " + spec + " at " + offset, (int) -rv);
        }
        if (rv != n) {
            throw new EOFException("read of " + n + " bytes of " + spec + " at " + offset + " returned " + rv);
        }
    }

    /** Returns {@code e}, fencing the image first when it says this client is blocklisted. */
    IOException noted(IOException e) {
        if (e instanceof StoreFencedException f && f.reason() == StoreFencedException.Reason.BLOCKLISTED) {
            fenced = true;
        }
        return e;
    }

    boolean fenced() {
        return fenced;
    }

    /**
     * Closes the fenced image and abandons its cluster connection (a blocklisted client's address
     * stays refused for an hour, and librados cannot change it), then opens the image on a new
     * connection, whose new address the OSDs accept. Other images of the old connection reopen on
     * the new one as they notice. Does nothing when not fenced.
     *
     * @throws IOException when the image cannot be opened (still fenced; try again later)
     */
    void recover() throws IOException {
        gate.writeLock().lock();
        try {
            if (closed || !fenced) {
                return;
            }
            detached.awaitNone();
            RbdImage old = image;
            image = null;
            if (old != null) {
                old.cluster().abandon();
                try {
                    old.close();
                } catch (IOException e) {
                    // a blocklisted client cannot release its lock: the gateway that broke it has it
                }
            }
            image = RbdImage.open(spec, 0);
            fenced = false;
        } finally {
            gate.writeLock().unlock();
        }
    }

    /** Waits for operations in flight, then closes the image (and the cluster connection with the last image). */
    void close() throws IOException {
        gate.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            detached.awaitNone();
            closed = true;
            if (image != null) {
                image.close();
            }
        } finally {
            gate.writeLock().unlock();
        }
    }
}
