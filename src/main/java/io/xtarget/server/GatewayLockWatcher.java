package io.xtarget.server;

import io.xtarget.backend.LockOwnership;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.LogicalUnit;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Implicit ALUA between gateways on RBD: every {@code interval}, for each LU on an RBD image, this
 * gateway renews its home lease of the image or takes a free or expired one
 * ({@link LockOwnership#holdHome}) and reports to {@link Alua} whether it is the home: the home is
 * active/optimized, the others active/non-optimized. When the home dies (its lease runs out) or
 * closes the image (a gateway shut down), the next poll of another gateway takes the lease and
 * raises ASYMMETRIC ACCESS STATE CHANGED there. Writes never move the home: a write through a
 * non-optimized gateway borrows the image's lock (the store does, cooperatively); only when the
 * lock's holder does not answer (dead, or hung) does the store break its lock, fencing it, and take
 * the home lease as well.
 *
 * <p><b>Fencing.</b> A gateway that finds itself fenced (an operation or this poll got Ceph's
 * EBLOCKLISTED) becomes active/non-optimized at once (2Ah/06h on every nexus of the LU), then
 * reconnects ({@link LockOwnership#recover}) and serves as a non-home gateway. For
 * {@link #FENCED_HOLD_OFF} after it noticed, its writes are refused (NOT READY 04h/0Ah) and never
 * land: they are commands the initiator queued on this path before it failed over, drained once
 * this gateway runs again; and an explicit claim here is refused too.
 *
 * <p><b>Explicit transitions.</b> The watcher is the {@link Alua.Claim} and the {@link Alua.Release}
 * of its {@link Alua} (SET TARGET PORT GROUPS): {@link LockOwnership#claimHome} and
 * {@link LockOwnership#releaseHome}.
 *
 * <p>LUs on other stores are left alone (optimized). {@link #pollOnce} runs the same check
 * synchronously: run it before the fabric listens, so the first RTPG is already right (and writes
 * hand the lock over from the first one).
 */
public final class GatewayLockWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayLockWatcher.class);
    /** Per LU, the lock check's last failure, logged when it first appears. */
    private final java.util.Map<String, String> problems = new java.util.concurrent.ConcurrentHashMap<>();

    /** How long a gateway that was fenced refuses writes and explicit claims of the LU. */
    public static final Duration FENCED_HOLD_OFF = Duration.ofSeconds(10);

    private final Alua alua;
    private final Supplier<? extends Collection<LogicalUnit>> units;
    private final Duration holdOff;
    private final LongSupplier nanoClock;
    /** LU name -> nanoClock time this gateway noticed it was fenced for that LU. */
    private final Map<String, Long> fencedAt = new ConcurrentHashMap<>();
    private final Thread thread;
    /** Held while one LU is checked or moved, so a poll never reports a state a transition just changed. */
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
        this.holdOff = holdOff;
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
        alua.setClaim(this::claim);
        alua.setRelease(this::release);
    }

    /** Starts polling in the background. */
    public GatewayLockWatcher start() {
        thread.start();
        return this;
    }

    /** One round: renews or takes home leases, recovers from fencing, and updates every RBD LU's state. */
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
        if (!rbd.fenced()) {
            try {
                owner = rbd.holdHome();
                problems.remove(lu.name());
            } catch (IOException | RuntimeException e) {
                String problem = String.valueOf(e.getMessage());
                if (!rbd.fenced() && !problem.equals(problems.put(lu.name(), problem))) { // once while it lasts
                    log.warn("ALUA: cannot check the home lease of {}: {}", rbd, problem);
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
                rbd.recover(holdOff);
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
     * {@link Alua.Claim}: makes this gateway {@code lu}'s home (SET TARGET PORT GROUPS). LUs on
     * other stores need nothing.
     *
     * @throws StoreFencedException when this gateway is fenced, or was less than
     *     {@link #FENCED_HOLD_OFF} ago
     * @throws IOException when the cluster refuses
     */
    public void claim(LogicalUnit lu) throws IOException {
        if (!(lu.store() instanceof LockOwnership rbd)) {
            return;
        }
        synchronized (lock) {
            Long fenced = fencedAt.get(lu.name());
            if (rbd.fenced() || fenced != null && nanoClock.getAsLong() - fenced < holdOff.toNanos()) {
                throw new StoreFencedException("LU " + lu.name() + ": this gateway was fenced; not taking it back yet",
                        StoreFencedException.Reason.BLOCKLISTED);
            }
            rbd.claimHome();
            log.info("ALUA: LU {} is now at home on this gateway (SET TARGET PORT GROUPS)", lu.name());
        }
    }

    /**
     * {@link Alua.Release}: gives {@code lu}'s home up (SET TARGET PORT GROUPS made this gateway
     * non-optimized); another gateway becomes the home at its next poll. LUs on other stores
     * cannot be given up.
     *
     * @throws IOException when the LU is not on a shared store, or the cluster refuses
     */
    public void release(LogicalUnit lu) throws IOException {
        if (!(lu.store() instanceof LockOwnership rbd)) {
            throw new IOException("LU " + lu.name() + " is not on a store gateways share: it stays active/optimized");
        }
        synchronized (lock) {
            rbd.releaseHome();
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
