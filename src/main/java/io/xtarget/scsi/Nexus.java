package io.xtarget.scsi;

import java.util.Objects;

/**
 * An I_T nexus: one initiator port talking to one target port, both named by the fabric.
 * Unit attentions, reservations and copy list identifiers are tracked per nexus.
 *
 * <p>Two nexuses are equal when their initiator port and target port are: the copy reachability
 * rule is how the fabric judges the nexus, not part of its identity.
 *
 * @param initiator the initiator port, named by the fabric
 * @param port the target port the nexus was formed through
 * @param copyReachability which other targets' LUN maps copies on this nexus may use (the fabric's rule)
 */
public record Nexus(InitiatorPort initiator, TargetPort port, CopyReachability copyReachability) {
    public Nexus {
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(copyReachability, "copyReachability");
    }

    /** A nexus whose copies reach what the ACLs grant its initiator name ({@link CopyReachability#BY_ACL}). */
    public Nexus(InitiatorPort initiator, TargetPort port) {
        this(initiator, port, CopyReachability.BY_ACL);
    }

    /** The initiator device name ({@link InitiatorPort#name}): what ACLs key on. */
    public String initiatorName() {
        return initiator.name();
    }

    /** The SCSI initiator port name ({@link InitiatorPort#portName}). */
    public String initiatorPortName() {
        return initiator.portName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Nexus n && initiator.equals(n.initiator) && Objects.equals(port, n.port);
    }

    @Override
    public int hashCode() {
        return 31 * initiator.hashCode() + Objects.hashCode(port);
    }

    @Override
    public String toString() {
        return initiatorPortName() + " -> " + port.scsiPortName();
    }
}
