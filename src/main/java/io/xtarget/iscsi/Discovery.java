package io.xtarget.iscsi;

import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.nio.charset.StandardCharsets;

/**
 * SendTargets (RFC 7143 Appendix C): the targets this initiator may log in to, each with the
 * addresses of its portals. A target whose ACL does not admit the initiator is not shown.
 */
final class Discovery {
    private Discovery() {}

    /**
     * @param which "All" (discovery sessions only), a target name, or empty for the session's
     *     own target
     */
    static byte[] sendTargets(IscsiServer server, Session session, String which) {
        StringBuilder sb = new StringBuilder();
        for (Target t : server.core().targets()) {
            boolean wanted;
            if ("All".equals(which)) {
                wanted = session.discovery;
            } else if (which == null || which.isEmpty()) {
                wanted = !session.discovery && session.target == t;
            } else {
                wanted = t.name().equalsIgnoreCase(which);
            }
            if (!wanted || !t.admits(session.initiatorName)) {
                continue;
            }
            sb.append("TargetName=").append(t.name()).append('\0');
            for (Portal portal : server.portals()) {
                TargetPort port = portal.portOf(t);
                if (port != null) {
                    sb.append("TargetAddress=").append(portal.address()).append(',').append(port.portalGroupTag())
                            .append('\0');
                }
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
