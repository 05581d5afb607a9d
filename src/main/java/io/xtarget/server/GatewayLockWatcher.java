package io.xtarget.server;

import io.xtarget.backend.LockOwnership;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.LogicalUnit;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implicit ALUA between gateways on RBD: every {@code interval}, for each LU on an RBD image,
 * this gateway takes the image's exclusive lock when nobody holds it (and then holds it), and
 * reports to {@link Alua} whether it owns it: the owner is active/optimized, the others
 * active/non-optimized. When the owner closes the image (a gateway shut down) the next poll of
 * another gateway takes the lock over and raises ASYMMETRIC ACCESS STATE CHANGED there.
 *
 * <p><b>Takeover and fencing.</b> The watcher is the {@link Alua.Takeover} of its {@link Alua}: a
 * write arriving for an LU this gateway serves non-optimized (the initiator failed over to this
 * path: the owner died, hangs, or lost its network) takes the image over with
 * {@link LockOwnership#takeOver}, which breaks the owner's lock and blocklists the owner, so that
 * nothing it sends later lands. A gateway that finds itself fenced (an operation or this poll got
 * Ceph's EBLOCKLISTED) becomes active/non-optimized at once (2Ah/06h on every nexus of the LU),
 * then reconnects ({@link LockOwnership#recover}) and serves as a non-owner. For
 * {@link #FENCED_HOLD_OFF} after it noticed, it takes nothing back: writes that reach it then
 * (commands the initiator queued on this path before it failed over, drained once this gateway
 * runs again) get NOT READY / ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah) and never land, and
 * an initiator that writes through both paths cannot bounce the image between the gateways
 * faster than that. After it, a write arriving here takes the image back (the initiator chose
 * this path again, e.g. the other gateway died too).
 *
 * <p><b>Explicit release.</b> The watcher is also the {@link Alua.Release} of its {@link Alua}
 * (SET TARGET PORT GROUPS asking this gateway to be non-optimized): it gives the lock up
 * ({@link LockOwnership#releaseExclusiveLock}) and from then on its poll no longer takes the free
 * lock of that LU, so that another gateway's poll takes it; a takeover (a write, or SET TARGET PORT
 * GROUPS asking this gateway to be optimized) ends that.
 *
 * <p>LUs on other stores are left alone (optimized). {@link #pollOnce} runs the same check
 * synchronously: run it before the fabric listens, so the first RTPG is already right.
 */
public final class GatewayLockWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayLockWatcher.class);
    /** Per LU, the lock check's last failure, logged when it first appears. */
    private final java.util.Map<String, String> problems = new java.util.concurrent.ConcurrentHashMap<>();

    /** How long a gateway that was fenced refuses to take an LU back on a write. */
    public static final Duration FENCED_HOLD_OFF = Duration.ofSeconds(10);

    private final Alua alua;
    private final Supplier<? extends Collection<LogicalUnit>> units;
    private final long holdOffNanos;
    private final LongSupplier nanoClock;
    /** LU name -> nanoClock time this gateway noticed it was fenced for that LU. */
    private final Map<String, Long> fencedAt = new ConcurrentHashMap<>();
    /** Names of the LUs this gateway gave up explicitly: the poll does not take their free locks. */
    private final java.util.Set<String> released = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    /** Held while one LU is checked or taken over, so a poll never reports a state a takeover just changed. */
    private final Object lock = new Object();
    private volatile boolean stopped;

    /** A watcher for {@code units}, installed as {@code alua}'s takeover; {@link #start} starts polling. */
    public GatewayLockWatcher(Alua alua, Supplier<? extends Collection<LogicalUnit>> units, Duration interval) {
        this(alua, units, interval, FENCED_HOLD_OFF, System::nanoTime);
    }

    /** As above, with the hold-off after fencing and the clock (nanoseconds, as System.nanoTime) given. */
    GatewayLockWatcher(Alua alua, Supplier<? extends Collection<LogicalUnit>> units, Duration interval,
            Duration holdOff, LongSupplier nanoClock) {
        this.alua = alua;
        this.units = units;
        this.holdOffNanos = holdOff.toNanos();
        this.nanoClock = nanoClock;
        long millis = Math.max(1, interval.toMillis());
        this.thread = Thread.ofPlatform().daemon().name("xt-alua-lock").unstarted(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return;
                }
                if (!stopped) {
                    pollOnce();
                }
            }
        });
        alua.setTakeover(this::takeOver);
        alua.setRelease(this::release);
    }

    /** Starts polling in the background. */
    public GatewayLockWatcher start() {
        thread.start();
        return this;
    }

    /** One round: takes free locks, recovers from fencing, and updates every RBD LU's state. */
    public void pollOnce() {
        for (LogicalUnit lu : units.get()) {
            if (lu.store() instanceof LockOwnership rbd) {
                synchronized (lock) {
                    poll(lu, rbd);
                }
            }
        }
    }

    private void poll(LogicalUnit lu, LockOwnership rbd) {
        boolean owner = false;
        if (!rbd.fenced() && !released.contains(lu.name())) {
            try {
                owner = rbd.holdExclusiveLock();
                problems.remove(lu.name());
            } catch (IOException | RuntimeException e) {
                String problem = String.valueOf(e.getMessage());
                if (!rbd.fenced() && !problem.equals(problems.put(lu.name(), problem))) { // once while it lasts
                    log.warn("ALUA: cannot check the exclusive lock of {}: {}", rbd, problem);
                }
            }
        }
        if (rbd.fenced()) {
            fencedAt.put(lu.name(), nanoClock.getAsLong());
            if (alua.setOptimized(lu, false)) {
                log.warn("ALUA: LU {} was taken over by another gateway, which fenced this one (blocklisted): "
                        + "now active/non-optimized; reconnecting to the cluster", lu.name());
            }
            try {
                rbd.recover();
                log.info("ALUA: {} reopened on a new cluster connection after fencing", rbd);
            } catch (IOException | RuntimeException e) {
                log.warn("ALUA: cannot reopen {} after fencing yet: {}", rbd, e.getMessage());
            }
            return;
        }
        if (alua.setOptimized(lu, owner)) {
            log.info("ALUA: LU {} is now {} on this gateway", lu.name(),
                    owner ? "active/optimized" : "active/non-optimized");
        }
    }

    /**
     * {@link Alua.Takeover}: takes {@code lu}'s image over for a write that arrived on this
     * gateway, breaking (and blocklisting) the owner's lock. LUs on other stores need nothing.
     *
     * @throws StoreFencedException when this gateway is fenced, or was less than
     *     {@link #FENCED_HOLD_OFF} ago
     * @throws IOException when the cluster refuses
     */
    public void takeOver(LogicalUnit lu) throws IOException {
        if (!(lu.store() instanceof LockOwnership rbd)) {
            return;
        }
        synchronized (lock) {
            Long fenced = fencedAt.get(lu.name());
            if (rbd.fenced() || fenced != null && nanoClock.getAsLong() - fenced < holdOffNanos) {
                throw new StoreFencedException("LU " + lu.name() + ": this gateway was fenced; not taking it back yet",
                        StoreFencedException.Reason.BLOCKLISTED);
            }
            long t0 = System.nanoTime();
            List<String> former = rbd.takeOver();
            released.remove(lu.name());
            log.warn("ALUA: took LU {} over for a write on this gateway in {} ms{}", lu.name(),
                    (System.nanoTime() - t0) / 1_000_000,
                    former.isEmpty() ? " (the lock was free)" : "; broke the lock of " + former + ", now blocklisted");
        }
    }

    /**
     * {@link Alua.Release}: gives {@code lu}'s image up (SET TARGET PORT GROUPS made this gateway
     * non-optimized); the poll leaves the free lock to the other gateways until a takeover here.
     * LUs on other stores cannot be given up.
     *
     * @throws IOException when the LU is not on a shared store, or the cluster refuses
     */
    public void release(LogicalUnit lu) throws IOException {
        if (!(lu.store() instanceof LockOwnership rbd)) {
            throw new IOException("LU " + lu.name() + " is not on a store gateways share: it stays active/optimized");
        }
        synchronized (lock) {
            released.add(lu.name());
            try {
                rbd.releaseExclusiveLock();
            } catch (IOException | RuntimeException e) {
                released.remove(lu.name());
                throw e;
            }
            log.info("ALUA: gave LU {} up (SET TARGET PORT GROUPS): active/non-optimized on this gateway", lu.name());
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
