package io.xtarget.config;

import java.util.List;

/**
 * One initiator admitted to a target.
 *
 * @param initiator the initiator's iSCSI name, lower case
 * @param luns the LUNs this initiator sees, or null to use the target's "luns"
 * @param chap CHAP secrets of this initiator (instead of the target's), or null
 * @param resets whether this initiator may issue LOGICAL UNIT RESET and TARGET WARM/COLD RESET:
 *     true or false overrides the default rule, null applies it (resets allowed only where its
 *     mappings are read-write; see {@link io.xtarget.scsi.LunMap})
 */
public record AclConfig(String initiator, List<LunConfig> luns, ChapConfig chap, Boolean resets) {
    public AclConfig {
        luns = luns == null ? null : List.copyOf(luns);
    }

    /** An ACL entry without its own CHAP secrets, under the default reset rule. */
    public AclConfig(String initiator, List<LunConfig> luns) {
        this(initiator, luns, null, null);
    }

    /** An ACL entry under the default reset rule. */
    public AclConfig(String initiator, List<LunConfig> luns, ChapConfig chap) {
        this(initiator, luns, chap, null);
    }

    public AclConfig withLuns(List<LunConfig> l) {
        return new AclConfig(initiator, l, chap, resets);
    }

    /** The entry with these CHAP secrets, or none when {@code c} is null. */
    public AclConfig withChap(ChapConfig c) {
        return new AclConfig(initiator, luns, c, resets);
    }

    /** The entry with this reset grant (true, false), or under the default rule when {@code r} is null. */
    public AclConfig withResets(Boolean r) {
        return new AclConfig(initiator, luns, chap, r);
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
