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
 */
public record TargetConfig(String name, List<String> portals, CopyAccessPolicy copyPolicy, List<LunConfig> luns,
        List<AclConfig> acls) {

    public TargetConfig {
        portals = List.copyOf(portals);
        luns = List.copyOf(luns);
        acls = List.copyOf(acls);
    }

    public TargetConfig withPortals(List<String> p) {
        return new TargetConfig(name, p, copyPolicy, luns, acls);
    }

    public TargetConfig withLuns(List<LunConfig> l) {
        return new TargetConfig(name, portals, copyPolicy, l, acls);
    }

    public TargetConfig withAcls(List<AclConfig> a) {
        return new TargetConfig(name, portals, copyPolicy, luns, a);
    }
}
