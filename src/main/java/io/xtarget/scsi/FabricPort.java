package io.xtarget.scsi;

import java.util.Objects;

/**
 * A target port a fabric registers with the core ({@link ScsiCore#registerPort}) when it is not a
 * port of one of the core's {@link Target}s (the vhost fabric: one per controller). REPORT TARGET
 * PORT GROUPS lists it, and copies received through it use its copy policy.
 *
 * @param port the target port
 * @param copyPolicy which LUs copies received here may reach; null means {@link CopyAccessPolicy#INITIATOR}
 * @param copyInitiatorName under policy INITIATOR, the initiator name whose LUN maps on the core's
 *     targets copies received here may also use (subject to the nexus's {@link CopyReachability});
 *     null: none, copies reach only the LUN map of the receiving nexus
 */
public record FabricPort(TargetPort port, CopyAccessPolicy copyPolicy, String copyInitiatorName) {
    public FabricPort {
        Objects.requireNonNull(port, "port");
    }

    /** The policy in effect. */
    public CopyAccessPolicy effectiveCopyPolicy() {
        return copyPolicy == null ? CopyAccessPolicy.INITIATOR : copyPolicy;
    }
}
