package io.xtarget.server;

import io.xtarget.backend.LockOwnership;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.LogicalUnit;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
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
 * <p>LUs on other stores are left alone (optimized). {@link #pollOnce} runs the same check
 * synchronously: run it before the fabric listens, so the first RTPG is already right.
 */
public final class GatewayLockWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayLockWatcher.class);

    private final Alua alua;
    private final Supplier<? extends Collection<LogicalUnit>> units;
    private final Thread thread;
    private volatile boolean stopped;

    public GatewayLockWatcher(Alua alua, Supplier<? extends Collection<LogicalUnit>> units, Duration interval) {
        this.alua = alua;
        this.units = units;
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
    }

    /** Starts polling in the background. */
    public GatewayLockWatcher start() {
        thread.start();
        return this;
    }

    /** One round: takes free locks, and updates every RBD LU's state. */
    public void pollOnce() {
        for (LogicalUnit lu : units.get()) {
            if (lu.store() instanceof LockOwnership rbd) {
                boolean owner;
                try {
                    owner = rbd.holdExclusiveLock();
                } catch (IOException | RuntimeException e) {
                    log.warn("ALUA: cannot check the exclusive lock of {}: {}", rbd, e.getMessage());
                    owner = false;
                }
                if (alua.setOptimized(lu, owner)) {
                    log.info("ALUA: LU {} is now {} on this gateway", lu.name(),
                            owner ? "active/optimized" : "active/non-optimized");
                }
            }
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
