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
 * <p><b>Explicit transitions.</b> With a {@link Release} set as well, SET TARGET PORT GROUPS
 * moves the LU ({@link #setExplicitly}): this gateway takes it over, or gives its image up so that
 * another gateway takes it; INQUIRY then reports TPGS 11b (implicit and explicit,
 * {@link #explicit}).
 *
 * @param peers the other gateways' target port groups, with their relative port identifiers
 */
public final class Alua {
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

    /** Gives an LU's image up, so that another gateway takes it (the server's lock watcher). */
    @FunctionalInterface
    public interface Release {
        /**
         * Gives {@code lu}'s image up; this gateway does not take it back by itself afterwards
         * (only a write or an explicit request here does).
         *
         * @throws IOException when it cannot (the image is not shared, the cluster refused)
         */
        void release(LogicalUnit lu) throws IOException;
    }

    private final List<PeerGroup> peers;
    private volatile Release release;
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
    public AccessState localState(LogicalUnit lu) {
        return optimized(lu) ? AccessState.ACTIVE_OPTIMIZED : AccessState.ACTIVE_NON_OPTIMIZED;
    }

    public AccessState peerState(LogicalUnit lu) {
        return optimized(lu) ? AccessState.ACTIVE_NON_OPTIMIZED : AccessState.ACTIVE_OPTIMIZED;
    }

    /**
     * Records whether this gateway owns {@code lu}'s image. A change from an earlier report raises
     * 2Ah/06h for every nexus of the LU; the first report only sets the state.
     *
     * @return whether the state changed
     */
    public boolean setOptimized(LogicalUnit lu, boolean now) {
        return setOptimized(lu, now, null);
    }

    /** As above; {@code except} (the nexus that asked for the change, or null) gets no unit attention. */
    private boolean setOptimized(LogicalUnit lu, boolean now, Nexus except) {
        Boolean before = optimized.put(lu.name(), now);
        if (before != null && before != now) {
            lu.unitAttentions().establishForAll(UnitAttentions.ASYMMETRIC_ACCESS_STATE_CHANGED, except);
            return true;
        }
        return false;
    }

    /** Sets what {@link #setExplicitly} calls to give an LU up (null: explicit transitions are not supported). */
    public void setRelease(Release release) {
        this.release = release;
    }

    /**
     * Whether explicit transitions (SET TARGET PORT GROUPS) are supported: INQUIRY reports TPGS
     * 11b instead of 01b.
     */
    public boolean explicit() {
        return takeover != null && release != null;
    }

    /**
     * SET TARGET PORT GROUPS for {@code lu} (SPC-4 5.15, explicit asymmetric access state transitions): makes this
     * gateway active/optimized ({@code optimizedHere}: takes the image over, fencing its owner as
     * a write here would) or active/non-optimized (gives the image up; another gateway takes it on
     * its next poll). Nothing happens when the state is already the requested one. A change gives
     * every I_T nexus of the LU ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h) except {@code requester}'s.
     *
     * @throws ScsiException HARDWARE ERROR / SET TARGET PORT GROUPS COMMAND FAILED (67h/0Ah) when
     *     the takeover or the release failed (the state did not change), or explicit transitions
     *     are not supported
     */
    public void setExplicitly(LogicalUnit lu, boolean optimizedHere, Nexus requester) throws ScsiException {
        Takeover t = takeover;
        Release r = release;
        if (t == null || r == null) {
            throw new ScsiException(SET_TARGET_PORT_GROUPS_FAILED);
        }
        synchronized (takeoverLocks.computeIfAbsent(lu.name(), n -> new Object())) {
            if (optimized(lu) == optimizedHere) {
                return;
            }
            try {
                if (optimizedHere) {
                    t.takeOver(lu);
                } else {
                    r.release(lu);
                }
            } catch (IOException | RuntimeException e) {
                throw new ScsiException(SET_TARGET_PORT_GROUPS_FAILED);
            }
            setOptimized(lu, optimizedHere, requester);
        }
    }

    /** HARDWARE ERROR / SET TARGET PORT GROUPS COMMAND FAILED (67h/0Ah), SPC-4 SET TARGET PORT GROUPS. */
    public static final Sense SET_TARGET_PORT_GROUPS_FAILED = new Sense(SenseKey.HARDWARE_ERROR, 0x67, 0x0A);

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
