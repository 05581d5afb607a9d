package io.xtarget.config;

import java.util.List;

/**
 * One initiator admitted to a target.
 *
 * @param initiator the initiator's iSCSI name, lower case
 * @param luns the LUNs this initiator sees, or null to use the target's "luns"
 * @param chap CHAP secrets of this initiator (instead of the target's), or null
 */
public record AclConfig(String initiator, List<LunConfig> luns, ChapConfig chap) {
    public AclConfig {
        luns = luns == null ? null : List.copyOf(luns);
    }

    /** An ACL entry without its own CHAP secrets. */
    public AclConfig(String initiator, List<LunConfig> luns) {
        this(initiator, luns, null);
    }

    public AclConfig withLuns(List<LunConfig> l) {
        return new AclConfig(initiator, l, chap);
    }

    /** The entry with these CHAP secrets, or none when {@code c} is null. */
    public AclConfig withChap(ChapConfig c) {
        return new AclConfig(initiator, luns, c);
    }

    /** The CHAP secrets this initiator logs in to {@code target} with, or null. */
    public ChapConfig effectiveChap(TargetConfig target) {
        return chap != null ? chap : target.chap();
    }

    /** The LUNs this initiator sees through {@code target}. */
    public List<LunConfig> effectiveLuns(TargetConfig target) {
        return luns != null ? luns : target.luns();
    }
}
