package io.xtarget.scsi;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Implicit ALUA between gateways: this xtarget process is one gateway of several that export the
 * same LUs (same NAA designator and serial) from their own target port groups. Per LU, the
 * gateway that owns the backing image (an RBD image's exclusive lock) is active/optimized; the
 * other gateways' groups are active/non-optimized. The core reports this in REPORT TARGET PORT
 * GROUPS; whoever watches the ownership calls {@link #setOptimized}, which raises ASYMMETRIC
 * ACCESS STATE CHANGED (2Ah/06h) on every I_T nexus of the LU when the state changes.
 *
 * <p>An LU nobody reported on is optimized here (a single owner: nothing to arbitrate).
 *
 * <p><b>Takeover on write.</b> With a {@link Takeover} set, a command that writes user data to an
 * LU for which this gateway is active/non-optimized makes this gateway the owner first
 * ({@link #serveHere}): the initiator failed over to this path (the owner died, or its path did),
 * so this gateway takes the image (fencing the old owner), becomes active/optimized (2Ah/06h on
 * every nexus) and then serves the command. Reads do not move ownership: the non-owner serves them
 * without it, and an initiator that reads through every path would otherwise bounce the image
 * between the gateways.
 *
 * @param peers the other gateways' target port groups, with their relative port identifiers
 */
public final class Alua {
    /** SPC-4 asymmetric access states as RTPG encodes them. */
    public static final int ACTIVE_OPTIMIZED = 0x0;
    public static final int ACTIVE_NON_OPTIMIZED = 0x1;

    /** Another gateway's target port group, as this gateway reports it. */
    public record PeerGroup(int id, List<Integer> relativePorts) {
        public PeerGroup {
            relativePorts = List.copyOf(relativePorts);
        }
    }

    /** Makes this gateway the owner of an LU's backing image (the server's lock watcher). */
    @FunctionalInterface
    public interface Takeover {
        /**
         * Takes {@code lu}'s image over, whoever holds it now; returns when this gateway owns it.
         *
         * @throws IOException when it cannot (this gateway is fenced itself, the cluster refused)
         */
        void takeOver(LogicalUnit lu) throws IOException;
    }

    private final List<PeerGroup> peers;
    private final Map<String, Boolean> optimized = new ConcurrentHashMap<>();
    private volatile Takeover takeover;
    /** Per LU name: held while a takeover runs. */
    private final Map<String, Object> takeoverLocks = new ConcurrentHashMap<>();

    public Alua(List<PeerGroup> peers) {
        this.peers = List.copyOf(Objects.requireNonNull(peers));
    }

    public List<PeerGroup> peers() {
        return peers;
    }

    /** Whether this gateway's groups are active/optimized for {@code lu} (null: no LU, optimized). */
    public boolean optimized(LogicalUnit lu) {
        return lu == null || optimized.getOrDefault(lu.name(), true);
    }

    /** This gateway's access state for {@code lu}; a peer's is the other one. */
    public int localState(LogicalUnit lu) {
        return optimized(lu) ? ACTIVE_OPTIMIZED : ACTIVE_NON_OPTIMIZED;
    }

    public int peerState(LogicalUnit lu) {
        return optimized(lu) ? ACTIVE_NON_OPTIMIZED : ACTIVE_OPTIMIZED;
    }

    /**
     * Records whether this gateway owns {@code lu}'s image. A change from an earlier report raises
     * 2Ah/06h for every nexus of the LU; the first report only sets the state.
     *
     * @return whether the state changed
     */
    public boolean setOptimized(LogicalUnit lu, boolean now) {
        Boolean before = optimized.put(lu.name(), now);
        if (before != null && before != now) {
            lu.unitAttentions().establishForAll(UnitAttentions.ASYMMETRIC_ACCESS_STATE_CHANGED, null);
            return true;
        }
        return false;
    }

    /** Sets what {@link #serveHere} calls (null: writes on a non-optimized LU are not taken over). */
    public void setTakeover(Takeover takeover) {
        this.takeover = takeover;
    }

    /**
     * Called by the core before a command that writes user data runs: when this gateway is
     * active/non-optimized for {@code lu} and a {@link Takeover} is set, takes the image over and
     * records this gateway as optimized (2Ah/06h on every nexus of the LU). One takeover per LU at
     * a time; commands arriving meanwhile wait for it and then run.
     *
     * @throws ScsiException NOT READY / ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah) when the
     *     takeover failed: the command did nothing and the initiator may retry
     */
    public void serveHere(LogicalUnit lu) throws ScsiException {
        Takeover t = takeover;
        if (t == null || optimized(lu)) {
            return;
        }
        synchronized (takeoverLocks.computeIfAbsent(lu.name(), n -> new Object())) {
            if (optimized(lu)) {
                return;
            }
            try {
                t.takeOver(lu);
            } catch (IOException | RuntimeException e) {
                throw new ScsiException(Sense.asymmetricAccessStateTransition());
            }
            setOptimized(lu, true);
        }
    }
}
