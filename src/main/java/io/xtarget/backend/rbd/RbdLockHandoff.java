package io.xtarget.backend.rbd;

import io.xtarget.backend.StoreFencedException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the gateways of one RBD image share its exclusive lock, which every write needs: it goes to
 * whichever gateway writes, handed over cooperatively. (Which gateway is active/optimized is
 * another matter: the image's home, {@link RbdHome}.)
 *
 * <p><b>Handoff.</b> A gateway about to write without the lock ({@link #enterForWrite}) asks the
 * holder to give it up: a RADOS notify ({@code "release"}) on the object {@code xtarget.lock.IMAGE}
 * that every gateway of the image watches. The holder acknowledges at once and then releases
 * ({@code rbd_lock_release}: it stops starting writes and waits for its writes in flight, so
 * nothing it acknowledged is left behind), having held the lock at least {@link #MIN_HOLD}; the
 * asker sees the lock free and takes it ({@code rbd_lock_acquire}). Nobody is fenced, no unit
 * attention is raised, and a host writing through both paths gets GOOD on both (slower on the
 * non-optimized one: a handoff is a few round trips to the cluster).
 *
 * <p><b>A holder that does not answer.</b> When the notify times out ({@link #ASK_TIMEOUT}: the
 * holder's process is dead, or hangs) and the lock is still held {@link #SILENT_GRACE} later, or
 * the holder no longer watches
 * the image (its watch timed out, or it was blocklisted), the asker breaks the lock
 * ({@link RbdExclusiveLock#takeOver}: the holder is blocklisted first, so nothing it sends later
 * lands), takes it, and takes the home lease too ({@link RbdHome#takeAfterBreaking}): the
 * failed-over gateway is the home now.
 *
 * <p><b>After fencing.</b> For the hold-off given to {@link #refuseWritesFor} (after this gateway
 * reconnected from a blocklist), writes are refused ({@link StoreFencedException}, NOT READY
 * 04h/0Ah) instead of taking the lock: they are commands a host queued here before it failed
 * over, and must not land after the writes it sent since through the other gateway.
 *
 * <p>Until {@link #start} (a single server, no gateways), nothing of this runs: librbd takes the
 * free lock by itself on the first write. An image without the exclusive-lock feature has no lock
 * to hand over and no way to fence a gateway that hangs: every gateway refuses writes (04h/0Ah)
 * and the log names the command that enables the feature.
 */
final class RbdLockHandoff {
    private static final Logger log = LoggerFactory.getLogger(RbdLockHandoff.class);
    /** How long the holder of the lock has to acknowledge a request for it. */
    static final Duration ASK_TIMEOUT = Duration.ofMillis(1500);
    /**
     * How long the lock may still be released after a request timed out before the holder is
     * broken: a request also times out when another watcher is silent (a killed gateway's watch
     * lingers 30 s), while the holder did answer and is releasing.
     */
    static final Duration SILENT_GRACE = Duration.ofSeconds(1);
    /** How often a request is sent again while the lock is still held. */
    static final Duration ASK_AGAIN = Duration.ofMillis(100);
    /** How long an acknowledged request may take until the lock is free. */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(5);
    /** How long a holder keeps a lock it just took before giving it up again (its writes go first). */
    static final Duration MIN_HOLD = Duration.ofMillis(10);
    /** How long the home lease lasts without renewal (the gateways poll every 250 ms). */
    static final Duration LEASE = Duration.ofSeconds(10);
    /** How long a write waits for the lock in all before it is answered NOT READY (04h/0Ah). */
    static final Duration WRITE_WAIT = Duration.ofSeconds(15);
    /** How long a gateway that gave the lock up on request leaves it to the asker before taking it back. */
    static final Duration YIELD = Duration.ofMillis(50);

    private final RbdImageGate gate;
    /** The writes using the lock here, and whether this gateway holds it as far as it knows. */
    private final RbdLockUse use = new RbdLockUse();
    /** One request for the lock at a time. */
    private final ReentrantLock asking = new ReentrantLock();
    /** Until when this gateway's writers leave a lock it just gave up to the asker (nanoTime). */
    private volatile long yieldUntil;
    private volatile RadosNotifyChannel channel;
    private volatile RadosLease lease;
    /** The home lease of this gateway, told when a silent holder's lock was broken here. */
    private volatile RbdHome home;
    private volatile long acquiredAt;
    private volatile long refuseUntil;
    private volatile boolean refusing;
    /** The image has no exclusive-lock feature: nothing to hand over; only the home writes. */
    private volatile boolean lockless;

    RbdLockHandoff(RbdImageGate gate) {
        this.gate = gate;
    }

    /** Sets the home lease told when this gateway breaks a silent holder's lock. */
    void setHome(RbdHome home) {
        this.home = home;
    }

    /** The home lease on this gateway's handoff connection ({@link #start} first). */
    RadosLease lease() {
        return lease;
    }

    /** Whether the image lacks the exclusive-lock feature ({@link #start} first). */
    boolean lockless() {
        return lockless;
    }

    /** Whether gateway mode is on ({@link #start} ran). */
    boolean started() {
        return channel != null;
    }

    /** Gateway mode: watches the handoff object and opens the home lease. Idempotent. */
    synchronized void start() throws IOException {
        if (channel != null && !channel.broken()) {
            return;
        }
        RadosNotifyChannel old = channel;
        RadosNotifyChannel c = LockRequests.open(gate.spec(), () -> use.holding() && !gate.fenced(), this::releaseOnRequest,
                () -> stallForTests);
        try {
            lease = c.lease("xtarget-home", LEASE);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        channel = c;
        if (old != null) {
            old.close();
        }
        if (old == null) {
            RbdImage image = gate.tryEnter();
            if (image != null) {
                try {
                    lockless = !image.hasExclusiveLockFeature();
                } finally {
                    gate.exit();
                }
            }
            if (lockless) {
                log.warn("{} has no exclusive-lock feature, which gateways need to hand writes over and fence a"
                        + " gateway that hangs: no gateway writes it (NOT READY); enable it with: rbd feature enable"
                        + " {}/{} exclusive-lock", gate.spec(), gate.spec().pool(), gate.spec().image());
            }
        }
    }

    /**
     * Starts a write: the image, with the gate and the lock's use held until {@link #exitWrite}; in
     * gateway mode this gateway holds the exclusive lock when it returns.
     *
     * @throws StoreFencedException when fenced, refusing writes after fencing, or the lock could not
     *     be had within {@link #WRITE_WAIT} (NOT READY 04h/0Ah: the host retries)
     */
    RbdImage enterForWrite() throws IOException {
        RbdImage image = gate.enter();
        if (!started()) {
            use.enter();
            return image;
        }
        if (lockless) { // nothing decides who writes, and nothing could fence a gateway that hangs
            gate.exit();
            throw new StoreFencedException(gate.spec() + " has no exclusive-lock feature, which gateways need to"
                    + " share writes: rbd feature enable " + gate.spec().pool() + "/" + gate.spec().image()
                    + " exclusive-lock", StoreFencedException.Reason.LOCKED_ELSEWHERE);
        }
        try {
            long deadline = System.nanoTime() + WRITE_WAIT.toNanos();
            while (true) {
                use.enter();
                boolean owned = false;
                try {
                    owned = owner(image);
                } finally {
                    if (!owned) {
                        use.exit();
                    }
                }
                if (owned) {
                    // the OSD says so (and no release runs while the use is held): started writes
                    // may trust it again, whatever this gateway believed (lockLost, librbd's own acquire)
                    use.held();
                    return image;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new StoreFencedException(gate.spec() + ": could not get the exclusive lock for a write within "
                            + WRITE_WAIT.toSeconds() + " s", StoreFencedException.Reason.LOCKED_ELSEWHERE);
                }
                ask(image);
            }
        } catch (IOException e) {
            gate.exit();
            throw gate.noted(e);
        } catch (RuntimeException e) {
            gate.exit();
            throw e;
        }
    }

    void exitWrite() {
        use.exit();
        gate.exit();
    }

    /**
     * Starts an asynchronous write without waiting: the image, with the gate and the lock's use
     * held until {@link #exitWriteDetached} (any thread). Null unless it can start at once: alone,
     * or in gateway mode while this gateway holds the exclusive lock and nobody is taking it away
     * (then {@link #enterForWrite} asks, waits or throws on a thread that may block).
     */
    RbdImage tryEnterForWriteDetached() {
        if (lockless) {
            return null;
        }
        RbdImage image = gate.tryEnterDetached();
        if (image == null) {
            return null;
        }
        if (!use.tryEnterDetached(started())) {
            gate.exitDetached();
            return null;
        }
        return image;
    }

    void exitWriteDetached() {
        use.exitDetached();
        gate.exitDetached();
    }

    /**
     * librbd refused a started write for the lock (EROFS: another client holds it, or nobody):
     * this gateway does not hold it, whatever it believed, so the next write goes the blocking
     * way, which asks for it, instead of starting on the same belief and failing again.
     */
    void lockLost() {
        use.lost();
    }

    private boolean owner(RbdImage image) throws IOException {
        return image.isExclusiveLockOwner();
    }

    /** Gets the lock for this gateway: takes it when free, asks its holder, breaks a silent holder's. */
    private void ask(RbdImage image) throws IOException {
        asking.lock();
        try {
            if (owner(image)) {
                return;
            }
            long yield = yieldUntil - System.nanoTime();
            if (yield > 0) { // this gateway just gave the lock up on request: let the asker have it first
                sleep(yield / 1_000_000 + 1);
            }
            if (refusing) {
                if (System.nanoTime() - refuseUntil < 0) {
                    throw new StoreFencedException(gate.spec() + ": this gateway was fenced; refusing writes for now",
                            StoreFencedException.Reason.LOCKED_ELSEWHERE);
                }
                refusing = false;
            }
            List<String> holders = image.lockOwners();
            if (holders.isEmpty()) {
                acquire(image);
                return;
            }
            // the request runs beside the wait: a notify lasts until every watcher answered (a silent
            // one makes it last ASK_TIMEOUT), the lock may be free long before
            long t0 = System.nanoTime();
            CompletableFuture<Boolean> request = LockRequests.tellAsync(channel, ASK_TIMEOUT, gate.spec());
            boolean answered = true; // until a request ends without the holder's answer
            long silentAt = t0;
            long end = t0 + RELEASE_WAIT.toNanos() + ASK_TIMEOUT.toNanos();
            long nextWatchCheck = t0;
            long nextAsk = t0 + ASK_AGAIN.toNanos();
            while (System.nanoTime() - end < 0) {
                List<String> now = image.lockOwners();
                if (now.isEmpty()) {
                    acquire(image);
                    log.debug("{}: lock handed over by {} in {} ms", gate.spec(), holders,
                            (System.nanoTime() - t0) / 1_000_000);
                    return;
                }
                boolean gone = false;
                if (System.nanoTime() - nextWatchCheck >= 0) { // a holder that no longer watches the image is gone
                    gone = now.stream().noneMatch(image.watcherAddresses()::contains);
                    nextWatchCheck = System.nanoTime() + 100_000_000L;
                }
                if (request.isDone()) {
                    boolean heard = LockRequests.outcome(request);
                    if (answered && !heard) {
                        silentAt = System.nanoTime();
                    }
                    answered = heard;
                    if (answered && System.nanoTime() - nextAsk >= 0) {
                        // the holder may have been taking the lock when it got the request (it gives
                        // up only a lock it holds): ask again
                        request = LockRequests.tellAsync(channel, ASK_TIMEOUT, gate.spec());
                        nextAsk = System.nanoTime() + ASK_AGAIN.toNanos();
                    }
                }
                if (gone || !answered && System.nanoTime() - silentAt >= SILENT_GRACE.toNanos()) {
                    breakSilentHolder(image, gone, t0);
                    return;
                }
                sleep(5);
            }
            // a live client that answered but keeps the lock (not a gateway of this version?): never fenced
            throw new StoreFencedException(gate.spec() + ": the lock's holder " + holders + " answered but did not "
                    + "release it within " + RELEASE_WAIT.toSeconds() + " s", StoreFencedException.Reason.LOCKED_ELSEWHERE);
        } finally {
            asking.unlock();
        }
    }

    /** Breaks the lock of a holder that is gone or silent (blocklisting it) and takes it, and the home. */
    private void breakSilentHolder(RbdImage image, boolean gone, long t0) throws IOException {
        List<String> broken = RbdExclusiveLock.takeOver(image);
        tookLock();
        log.warn("{}: the lock's holder {} {}: broke its lock (it is blocklisted) and took it, and this gateway's"
                + " home lease, in {} ms", gate.spec(), broken, gone ? "is gone (no longer watches the image)"
                : "did not answer within " + ASK_TIMEOUT.toMillis() + " ms", (System.nanoTime() - t0) / 1_000_000);
        RbdHome h = home;
        if (h != null) {
            h.takeAfterBreaking();
        }
    }

    /** This gateway holds the lock from now on (for the acknowledgements and the minimum hold). */
    private void tookLock() {
        acquiredAt = System.nanoTime();
        use.held();
    }

    /** rbd_lock_acquire of a free lock; losing a race for it is not an error (the caller asks again). */
    private void acquire(RbdImage image) throws IOException {
        int rc = image.acquireExclusiveLock();
        if (rc == -RbdErrors.ESHUTDOWN) {
            throw RbdErrors.of("rbd_lock_acquire of " + gate.spec(), -rc);
        }
        if (rc == 0) {
            tookLock();
        }
    }

    /** Tests: whether no write holds the lock's use and no release waits for it (nothing leaked). */
    boolean idleForTests() {
        return use.idle();
    }

    /** Tests: while set, requests for the lock are not acknowledged until it opens (a hung gateway). */
    volatile java.util.concurrent.CountDownLatch stallForTests;


    private void releaseOnRequest() {
        long held = System.nanoTime() - acquiredAt;
        if (held < MIN_HOLD.toNanos()) {
            sleep((MIN_HOLD.toNanos() - held) / 1_000_000 + 1);
        }
        RbdImage image = gate.tryEnter(); // the gate first, then the use: the order writes take them in
        if (image == null) {
            return;
        }
        if (!use.drain(RELEASE_WAIT)) { // writes in flight, blocking or started, or interrupted
            log.warn("{}: writes in flight kept the lock here for {} s after another gateway asked for it",
                    gate.spec(), RELEASE_WAIT.toSeconds());
            gate.exit();
            return;
        }
        try {
            if (image.isExclusiveLockOwner()) {
                yieldUntil = System.nanoTime() + YIELD.toNanos();
                RbdExclusiveLock.release(image);
                use.lost();
            }
        } catch (IOException e) {
            gate.noted(e);
            log.warn("{}: could not give the lock up when asked: {}", gate.spec(), e.getMessage());
        } finally {
            use.undrain();
            gate.exit();
        }
    }

    /**
     * For the home's poll: takes the exclusive lock when it is free, or held by a client that is
     * gone (no longer watches the image: breaks and blocklists it); keeps a live holder's.
     * A blocklisted client fails here (and the gate notes it).
     */
    void takeLockIfFreeOrGone() throws IOException {
        RbdImage image = gate.tryEnter();
        if (image == null) {
            return;
        }
        try {
            if (image.isExclusiveLockOwner()) {
                image.lockOwners(); // a blocklisted client fails here
                return;
            }
            if (!asking.tryLock()) {
                return; // a write is asking for it (which may take long: never hold the poll up)
            }
            try {
                List<String> holders = image.lockOwners();
                if (holders.isEmpty()) {
                    acquire(image);
                } else if (holders.stream().noneMatch(image.watcherAddresses()::contains)) {
                    RbdExclusiveLock.takeOver(image);
                    tookLock();
                    log.warn("{}: took the lock of {}, which no longer watches the image (blocklisted it)",
                            gate.spec(), holders);
                }
            } finally {
                asking.unlock();
            }
        } catch (IOException e) {
            throw gate.noted(e);
        } finally {
            gate.exit();
        }
    }

    /** Brings the exclusive lock here as a write would (asking its holder). */
    void takeLock() throws IOException {
        enterForWrite();
        exitWrite();
    }

    /** Gives the exclusive lock up when this gateway holds it, after the writes in flight. */
    void giveLockUp() throws IOException {
        RbdImage image = gate.enter();
        use.drain();
        try {
            RbdExclusiveLock.release(image);
            use.lost();
        } catch (IOException e) {
            throw gate.noted(e);
        } finally {
            use.undrain();
            gate.exit();
        }
    }

    /**
     * After a reconnect from fencing: the image opened anew owns no lock, whatever this gateway
     * held before (a started write trusts {@link RbdLockUse#holding}: left set, it would reach
     * librbd, which takes a free lock by itself, and land during the hold-off); writes are refused
     * for {@code period} (see the class comment).
     */
    void refuseWritesFor(Duration period) {
        use.lost();
        refuseUntil = System.nanoTime() + period.toNanos();
        refusing = true;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops watching and gives the lease up (a closing gateway leaves home at once). */
    synchronized void close() {
        RadosNotifyChannel c = channel;
        RadosLease l = lease;
        channel = null;
        lease = null;
        if (c != null) {
            RbdHome.releaseQuietly(l, gate.spec());
            c.close();
            l.close();
        }
    }
}
