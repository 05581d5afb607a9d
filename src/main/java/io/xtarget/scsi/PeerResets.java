package io.xtarget.scsi;

import java.util.Collection;

/**
 * The other gateways of this server's LUs (config {@code "gateway"}): servers that export the same
 * logical units (same NAA designator) through target ports of their own. A reset is an event of the
 * logical unit, not of the target port it arrived through: SAM-5 6.3.3 has a logical unit reset
 * abort every task of the LU and establish LOGICAL UNIT RESET OCCURRED for the initiator port of
 * every I_T nexus of the LU, and the nexuses through a peer's ports are nexuses of the same LU. So
 * the {@link TaskManager} announces each reset it performs here, and the peers perform it for
 * their nexuses ({@link TaskManager#resetByPeer}).
 */
@FunctionalInterface
public interface PeerResets {
    /** What was reset, deciding the unit attention the peers' nexuses get. */
    enum Kind {
        /** LOGICAL UNIT RESET (SAM-5 7.7): LOGICAL UNIT RESET OCCURRED, 29h/03h. */
        LOGICAL_UNIT(UnitAttentions.LUN_RESET),
        /** A target reset (iSCSI TARGET WARM/COLD RESET): POWER ON, RESET, OR BUS DEVICE RESET OCCURRED, 29h/00h. */
        TARGET(UnitAttentions.POWER_ON);

        private final Sense attention;

        Kind(Sense attention) {
            this.attention = attention;
        }

        /** The unit attention every I_T nexus of a reset LU gets. */
        public Sense attention() {
            return attention;
        }
    }

    /**
     * Tells the peers that {@code units} were reset here, and returns once they performed the
     * reset for their nexuses, or after a bound of a few seconds when a peer does not answer (a
     * dead or unreachable peer has no nexuses to tell). Never throws; LUs no peer shares are
     * ignored.
     */
    void announce(Collection<LogicalUnit> units, Kind kind);
}
