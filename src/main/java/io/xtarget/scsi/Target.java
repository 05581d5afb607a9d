package io.xtarget.scsi;

import java.util.List;
import java.util.Map;

/**
 * A SCSI target as a fabric exports it: its name, its ports and its access control. What a fabric
 * adds of its own (the iSCSI fabric's CHAP secrets) stays with the fabric, keyed by the name.
 *
 * <p>Access is either open ({@code demoLuns} non-null: every initiator sees that LUN map) or by
 * ACL ({@code acls}: initiator name to that initiator's own LUN map). An initiator with no LUN
 * map may not log in and does not see the target in discovery. The LUN map is the whole grant,
 * including whether its holder may reset LUs or the target ({@link LunMap#mayResetTarget}).
 *
 * @param name the target's name, as the fabric names it (the SCSI target device name of VPD 0x83)
 * @param ports its target ports (the iSCSI fabric: one per portal)
 * @param demoLuns the LUN map every initiator gets, or null when ACLs are enforced
 * @param acls initiator name ({@link InitiatorPort#name}) to LUN map (ignored when {@code demoLuns} is set)
 * @param copyPolicy which LUs EXTENDED COPY received here may reach
 */
public record Target(String name, List<TargetPort> ports, LunMap demoLuns, Map<String, LunMap> acls,
        CopyAccessPolicy copyPolicy) {

    public Target {
        ports = List.copyOf(ports);
        acls = Map.copyOf(acls);
    }

    /** The LUN map this initiator gets through this target, or null when it has no access. */
    public LunMap lunMapFor(String initiatorName) {
        if (demoLuns != null) {
            return demoLuns;
        }
        return acls.get(initiatorName);
    }

    public boolean admits(String initiatorName) {
        return lunMapFor(initiatorName) != null;
    }
}
