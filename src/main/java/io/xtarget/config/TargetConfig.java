package io.xtarget.config;

import io.xtarget.scsi.CopyAccessPolicy;
import java.util.List;

/**
 * One iSCSI target.
 *
 * @param name target IQN, lower case
 * @param portals "host:port" addresses, one target port (portal group) each
 * @param copyPolicy which LUs an EXTENDED COPY received here may reach
 * @param luns the LUN map of every initiator when {@code acls} is empty (demo mode), and of ACL
 *     entries without their own LUNs
 * @param acls admitted initiators; empty admits everyone
 * @param chap CHAP secrets every initiator must log in with (an ACL entry's own win), or null
 */
public record TargetConfig(String name, List<String> portals, CopyAccessPolicy copyPolicy, List<LunConfig> luns,
        List<AclConfig> acls, ChapConfig chap) {

    public TargetConfig {
        portals = List.copyOf(portals);
        luns = List.copyOf(luns);
        acls = List.copyOf(acls);
    }

    /** A target without CHAP. */
    public TargetConfig(String name, List<String> portals, CopyAccessPolicy copyPolicy, List<LunConfig> luns,
            List<AclConfig> acls) {
        this(name, portals, copyPolicy, luns, acls, null);
    }

    public TargetConfig withPortals(List<String> p) {
        return new TargetConfig(name, p, copyPolicy, luns, acls, chap);
    }

    public TargetConfig withLuns(List<LunConfig> l) {
        return new TargetConfig(name, portals, copyPolicy, l, acls, chap);
    }

    public TargetConfig withAcls(List<AclConfig> a) {
        return new TargetConfig(name, portals, copyPolicy, luns, a, chap);
    }

    /** The target with {@code a} in place of the ACL of that initiator, or appended when there is none. */
    public TargetConfig withAcl(AclConfig a) {
        return withAcls(Named.put(acls, a, AclConfig::initiator));
    }

    /** The target with these CHAP secrets, or none when {@code c} is null. */
    public TargetConfig withChap(ChapConfig c) {
        return new TargetConfig(name, portals, copyPolicy, luns, acls, c);
    }
}
