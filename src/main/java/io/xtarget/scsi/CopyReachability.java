package io.xtarget.scsi;

/**
 * Which other targets' LUN maps an I_T nexus may use for a copy (EXTENDED COPY source and
 * destination CSCDs, a ROD token's source) when the receiving target's copy policy is
 * {@link CopyAccessPolicy#INITIATOR}. The fabric supplies it with the {@link Nexus}: it alone knows
 * what an initiator name proved at login. The core asks it only about targets whose ACL already
 * admits the nexus's initiator name, so a rule can only narrow what the ACLs grant.
 */
@FunctionalInterface
public interface CopyReachability {
    /**
     * Whether {@code nexus} may reach the LUs {@code other} maps for its initiator name.
     *
     * @param other a target whose ACL admits {@code nexus.initiatorName()} (possibly the receiving one)
     */
    boolean reaches(Nexus nexus, Target other);

    /** The ACLs alone decide: the initiator name is identity enough (a fabric without authentication). */
    CopyReachability BY_ACL = (nexus, other) -> true;
}
