package io.xtarget.config;

import java.util.List;

/**
 * One initiator admitted to a target.
 *
 * @param initiator the initiator's iSCSI name, lower case
 * @param luns the LUNs this initiator sees, or null to use the target's "luns"
 */
public record AclConfig(String initiator, List<LunConfig> luns) {
    public AclConfig {
        luns = luns == null ? null : List.copyOf(luns);
    }

    /** The LUNs this initiator sees through {@code target}. */
    public List<LunConfig> effectiveLuns(TargetConfig target) {
        return luns != null ? luns : target.luns();
    }
}
