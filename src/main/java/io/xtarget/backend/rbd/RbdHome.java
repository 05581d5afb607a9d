package io.xtarget.backend.rbd;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which gateway of an RBD image is its <em>home</em>, the active/optimized one: the holder of a
 * {@link RadosLease} named {@code xtarget-home} on the image's handoff object (its duration
 * {@link RbdLockHandoff#LEASE}), renewed by each poll ({@link #holdHome}). The home stays where it
 * is while writes move the exclusive lock between gateways ({@link RbdLockHandoff}); it moves when
 * its holder dies (the lease runs out, or another gateway broke the silent holder's lock and took
 * the lease with it, {@link #takeAfterBreaking}), closes the image, or on an explicit request
 * ({@link #claimHome}, {@link #releaseHome}).
 */
final class RbdHome {
    private static final Logger log = LoggerFactory.getLogger(RbdHome.class);

    private final RbdImageGate gate;
    private final RbdLockHandoff handoff;
    /** Set by {@link #releaseHome}, cleared by {@link #claimHome}: the poll leaves the lease to others. */
    private volatile boolean givenUp;

    RbdHome(RbdImageGate gate, RbdLockHandoff handoff) {
        this.gate = gate;
        this.handoff = handoff;
        handoff.setHome(this);
    }

    /**
     * Whether this gateway is the image's home now: renews its lease or takes a free or expired
     * one (not after {@link #releaseHome}); the home then also takes the exclusive lock when it
     * is free, or held by a client that is gone ({@link RbdLockHandoff#takeLockIfFreeOrGone}).
     * False while fenced (the lease is then given up). The first call starts the handoff.
     *
     * @throws IOException when the cluster cannot be asked
     */
    boolean holdHome() throws IOException {
        handoff.start();
        RadosLease l = handoff.lease();
        if (gate.fenced()) {
            releaseQuietly(l, gate.spec());
            return false;
        }
        boolean home = !givenUp && l.holdOrRenew();
        if (home && !handoff.lockless()) {
            handoff.takeLockIfFreeOrGone();
        }
        return home;
    }

    /** Makes this gateway the home (explicit ALUA): takes the lease from whoever has it, then the lock. */
    void claimHome() throws IOException {
        handoff.start();
        givenUp = false;
        handoff.lease().takeFromAnyone();
        if (!handoff.lockless()) {
            handoff.takeLock();
        }
    }

    /** Gives home up (explicit ALUA): the lease and the lock; {@link #holdHome} leaves them to others. */
    void releaseHome() throws IOException {
        handoff.start();
        givenUp = true;
        handoff.lease().release();
        handoff.giveLockUp();
    }

    /**
     * After this gateway broke a silent holder's lock for a write: the silent gateway is dead or
     * hung (and now blocklisted), so this one becomes the home too, unless it gave home up.
     */
    void takeAfterBreaking() {
        RadosLease l = handoff.lease();
        if (l == null || givenUp) {
            return;
        }
        try {
            l.takeFromAnyone();
        } catch (IOException e) {
            log.warn("{}: could not take the home lease after taking the lock over: {}", gate.spec(), e.getMessage());
        }
    }

    /** Gives {@code lease} up, logging (at debug) instead of failing. */
    static void releaseQuietly(RadosLease lease, RbdImageSpec spec) {
        if (lease == null) {
            return;
        }
        try {
            lease.release();
        } catch (IOException e) {
            log.debug("{}: releasing the home lease: {}", spec, e.getMessage());
        }
    }
}
