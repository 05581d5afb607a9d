package io.xtarget.scsi;

/**
 * An I_T nexus: one initiator port (iSCSI initiator name + ISID) talking to one target port.
 * Unit attentions, reservations and copy list identifiers are tracked per nexus.
 *
 * @param initiatorName the iSCSI initiator name (IQN or EUI)
 * @param isid the 48-bit initiator session identifier
 * @param port the target port the session logged in through
 */
public record Nexus(String initiatorName, long isid, TargetPort port) {

    /** SCSI initiator port name (RFC 7143 13.x): "iqn...,i,0x<isid>". */
    public String initiatorPortName() {
        return String.format("%s,i,0x%012x", initiatorName, isid);
    }

    @Override
    public String toString() {
        return initiatorPortName() + " -> " + port.scsiPortName();
    }
}
