package io.xtarget.iscsi;

import io.xtarget.scsi.InitiatorPort;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.TransportProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The iSCSI names of SCSI ports (RFC 7143 4.2.7, 13.x; SPC-4 7.6.4.6, 7.8.6.11): the fabric
 * formats them here, the core only carries them.
 */
public final class IscsiPorts {
    /** iSCSI: protocol identifier 5h (SPC-4 7.6.1), version descriptor 0960h (iSCSI, no version claimed). */
    public static final TransportProtocol TRANSPORT = new TransportProtocol(5, 0x0960);

    private IscsiPorts() {}

    /**
     * The SCSI target port of an iSCSI target on one portal: SCSI name string
     * "&lt;target name&gt;,t,0x&lt;TPGT, 4 hex digits&gt;".
     */
    public static TargetPort targetPort(String targetName, int portalGroupTag, int relativePortId, int portGroupId,
            String portal) {
        return new TargetPort(targetName, String.format("%s,t,0x%04x", targetName, portalGroupTag), TRANSPORT,
                relativePortId, portGroupId, portal, portalGroupTag);
    }

    /**
     * The SCSI initiator port of an iSCSI initiator and session: port name
     * "&lt;initiator name&gt;,i,0x&lt;ISID, 12 hex digits&gt;", and its TransportID in format 01b
     * (SPC-4 7.6.4.6: that name, null terminated and padded with nulls to a multiple of 4, at least 20 bytes).
     */
    public static InitiatorPort initiatorPort(String initiatorName, long isid) {
        String portName = String.format("%s,i,0x%012x", initiatorName, isid);
        byte[] name = portName.getBytes(StandardCharsets.UTF_8);
        int addLen = Math.max(20, (name.length + 4) & ~3);
        byte[] tid = Arrays.copyOf(new byte[] {(byte) (0x40 | TRANSPORT.identifier()), 0, (byte) (addLen >>> 8),
                (byte) addLen}, 4 + addLen);
        System.arraycopy(name, 0, tid, 4, name.length);
        return new InitiatorPort(initiatorName, portName, tid);
    }

    /** An I_T nexus of an iSCSI session whose copies reach what the ACLs grant (no CHAP rule). */
    public static Nexus nexus(String initiatorName, long isid, TargetPort port) {
        return new Nexus(initiatorPort(initiatorName, isid), port);
    }
}
