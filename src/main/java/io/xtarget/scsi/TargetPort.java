package io.xtarget.scsi;

/**
 * A SCSI target port: one port of one target, built by the fabric that serves it (the iSCSI fabric:
 * one per portal of the target, {@code io.xtarget.iscsi.IscsiPorts}). The relative port identifier
 * is unique across the whole server (SPC-4 7.8.6.5: relative to the SCSI target device, which here
 * is the xtarget process), and is what VPD 0x83 and REPORT TARGET PORT GROUPS report.
 *
 * @param targetName the name of the target (its {@link Target#name}), reported as the SCSI target
 *     device name
 * @param scsiPortName the SCSI name string of the target port (SPC-4 7.8.6.11), as the fabric formats it
 * @param protocol the transport protocol of the port
 * @param relativePortId relative target port identifier, 1..65535
 * @param portGroupId target port group identifier (ALUA)
 * @param portal where the fabric offers the port; the core never reads it
 * @param portalGroupTag the fabric's tag of the port within its target; the core never reads it
 */
public record TargetPort(String targetName, String scsiPortName, TransportProtocol protocol, int relativePortId,
        int portGroupId, String portal, int portalGroupTag) {
    public TargetPort {
        java.util.Objects.requireNonNull(targetName, "targetName");
        java.util.Objects.requireNonNull(scsiPortName, "scsiPortName");
        java.util.Objects.requireNonNull(protocol, "protocol");
    }
}
