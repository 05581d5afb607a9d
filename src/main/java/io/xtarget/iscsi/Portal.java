package io.xtarget.iscsi;

import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One listening address and the target ports (one per target) reachable through it.
 *
 * @param configured the portal as configured ("host:port")
 * @param bound the address actually bound (differs when port 0 asked for an ephemeral port)
 * @param ports the target ports on this portal
 */
record Portal(String configured, InetSocketAddress bound, List<TargetPort> ports) {

    /** The port of {@code target} on this portal, or null when the target is not offered here. */
    TargetPort portOf(Target target) {
        for (TargetPort p : ports) {
            if (p.targetName().equals(target.name())) {
                return p;
            }
        }
        return null;
    }

    /** "host:port" as SendTargets reports it. */
    String address() {
        String host = bound.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    @Override
    public String toString() {
        return address();
    }
}
