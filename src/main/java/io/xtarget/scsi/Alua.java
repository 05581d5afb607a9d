package io.xtarget.scsi;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ALUA between gateways: this xtarget process is one gateway of several that export the same LUs
 * (same NAA designator and serial) from their own target port groups. Per LU, the gateway that is
 * the backing image's home (on RBD a lease it renews, see {@link io.xtarget.backend.LockOwnership})
 * is active/optimized; the other gateways' groups are active/non-optimized. Both states serve
 * every command: a write through a non-optimized gateway is served there (its store takes the
 * image's lock for it), only slower. The core reports the states in REPORT TARGET PORT GROUPS;
 * whoever watches the home calls {@link #setOptimized}, which raises ASYMMETRIC ACCESS STATE
 * CHANGED (2Ah/06h) on every I_T nexus of the LU when the state changes (the home died and
 * another gateway took its lease, or an explicit transition).
 *
 * <p>An LU nobody reported on is optimized here (a single owner: nothing to arbitrate).
 *
 * <p><b>Explicit transitions.</b> With a {@link Claim} and a {@link Release} set, SET TARGET PORT
 * GROUPS moves the LU ({@link #setExplicitly}): this gateway becomes its home, or gives it up so
 * that another gateway becomes it; INQUIRY then reports TPGS 11b (implicit and explicit,
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

    /** Makes this gateway the home of an LU's backing image (the server's home watcher). */
    @FunctionalInterface
    public interface Claim {
        /**
         * Makes this gateway {@code lu}'s home, whoever is now; returns when it is.
         *
         * @throws IOException when it cannot (this gateway is fenced itself, the cluster refused)
         */
        void claim(LogicalUnit lu) throws IOException;
    }

    /** Gives an LU's image up, so that another gateway becomes its home (the server's home watcher). */
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
    private volatile Claim claim;
    /** Per LU name: held while an explicit transition runs. */
    private final Map<String, Object> transitionLocks = new ConcurrentHashMap<>();

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
     * Records whether this gateway is the home of {@code lu}'s image. A change from an earlier report raises
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
        return claim != null && release != null;
    }

    /**
     * SET TARGET PORT GROUPS for {@code lu} (SPC-4 5.15, explicit asymmetric access state transitions): makes this
     * gateway active/optimized ({@code optimizedHere}: becomes the image's home, the former home
     * turns non-optimized at its next poll) or active/non-optimized (gives the image up; another
     * gateway becomes its home at its next poll). Nothing happens when the state is already the requested one. A change gives
     * every I_T nexus of the LU ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h) except {@code requester}'s.
     *
     * @throws ScsiException HARDWARE ERROR / SET TARGET PORT GROUPS COMMAND FAILED (67h/0Ah) when
     *     the claim or the release failed (the state did not change), or explicit transitions
     *     are not supported
     */
    public void setExplicitly(LogicalUnit lu, boolean optimizedHere, Nexus requester) throws ScsiException {
        Claim c = claim;
        Release r = release;
        if (c == null || r == null) {
            throw new ScsiException(SET_TARGET_PORT_GROUPS_FAILED);
        }
        synchronized (transitionLocks.computeIfAbsent(lu.name(), n -> new Object())) {
            if (optimized(lu) == optimizedHere) {
                return;
            }
            try {
                if (optimizedHere) {
                    c.claim(lu);
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

    /** Sets what {@link #setExplicitly} calls to make this gateway an LU's home (null: no explicit transitions). */
    public void setClaim(Claim claim) {
        this.claim = claim;
    }
}
