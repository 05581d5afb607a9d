package io.xtarget.scsi;

/**
 * A SCSI target port: one portal (iSCSI target portal group) of one target. The relative port
 * identifier is unique across the whole server (SPC-4 7.8.6.5: relative to the SCSI target
 * device, which here is the xtarget process), and is what VPD 0x83 and REPORT TARGET PORT GROUPS
 * report.
 *
 * @param targetName the iSCSI target name (IQN)
 * @param portalGroupTag the iSCSI target portal group tag (TPGT)
 * @param relativePortId relative target port identifier, 1..65535
 * @param portGroupId target port group identifier (ALUA)
 * @param portal "host:port" the port listens on
 */
public record TargetPort(String targetName, int portalGroupTag, int relativePortId, int portGroupId, String portal) {

    /** SCSI name string of the target port (RFC 7143 / SPC-4 7.8.6.11): "iqn...,t,0x0001". */
    public String scsiPortName() {
        return String.format("%s,t,0x%04x", targetName, portalGroupTag);
    }
}
