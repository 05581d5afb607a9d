package io.xtarget.scsi;

import java.util.List;
import java.util.Map;

/**
 * An iSCSI target (one IQN) with its ports and its access control.
 *
 * <p>Access is either open ({@code demoLuns} non-null: every initiator sees that LUN map) or by
 * ACL ({@code acls}: initiator name to that initiator's own LUN map). An initiator with no LUN
 * map may not log in and does not see the target in discovery. The LUN map is the whole grant,
 * including whether its holder may reset LUs or the target ({@link LunMap#mayResetTarget}).
 *
 * @param name target IQN
 * @param ports one target port per portal
 * @param demoLuns the LUN map every initiator gets, or null when ACLs are enforced
 * @param acls initiator IQN to LUN map (ignored when {@code demoLuns} is set)
 * @param copyPolicy which LUs EXTENDED COPY received here may reach
 * @param chap CHAP secrets every initiator must log in with, or null for no authentication
 * @param initiatorChap per-initiator CHAP secrets (from ACL entries), overriding {@code chap}
 */
public record Target(String name, List<TargetPort> ports, LunMap demoLuns, Map<String, LunMap> acls,
        CopyAccessPolicy copyPolicy, ChapCredentials chap, Map<String, ChapCredentials> initiatorChap) {

    public Target {
        ports = List.copyOf(ports);
        acls = Map.copyOf(acls);
        initiatorChap = Map.copyOf(initiatorChap);
    }

    /** A target without authentication. */
    public Target(String name, List<TargetPort> ports, LunMap demoLuns, Map<String, LunMap> acls,
            CopyAccessPolicy copyPolicy) {
        this(name, ports, demoLuns, acls, copyPolicy, null, Map.of());
    }

    /**
     * The CHAP secrets this initiator must log in with (its ACL entry's, else the target's), or
     * null when it logs in without authentication. The login enforces them (io.xtarget.iscsi).
     */
    public ChapCredentials chapFor(String initiatorName) {
        ChapCredentials own = initiatorChap.get(initiatorName);
        return own != null ? own : chap;
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
