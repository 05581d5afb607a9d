package io.xtarget.vhost;

/**
 * The bytes of our own buffers one controller's commands may hold at once (data-out copies and
 * data-in results): the guest can queue Queue Size commands of up to 32 MiB each on every request
 * queue, so without a bound it could make the server allocate gigabytes. A command larger than the
 * whole budget may still run, alone.
 */
final class BufferBudget {
    private final long limit;
    private long used;

    BufferBudget(long limit) {
        this.limit = limit;
    }

    /** Takes {@code n} bytes if they are free now. */
    synchronized boolean tryTake(long n) {
        if (used > 0 && used + n > limit) {
            return false;
        }
        used += n;
        return true;
    }

    /** Takes {@code n} bytes, waiting for other commands to give theirs back. */
    synchronized void take(long n) throws InterruptedException {
        while (used > 0 && used + n > limit) {
            wait();
        }
        used += n;
    }

    synchronized void give(long n) {
        used -= n;
        notifyAll();
    }

    synchronized long used() {
        return used;
    }
}
