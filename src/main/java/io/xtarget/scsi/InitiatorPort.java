package io.xtarget.scsi;

import java.util.Arrays;
import java.util.Objects;

/**
 * An initiator port (SAM-5 4.7) as the fabric names it. The fabric formats every value; the core
 * stores, compares and reports them and never parses them.
 *
 * @param name the name of the initiator device: the key of ACLs (a {@link Target}'s LUN maps), of
 *     copy reachability and of the ROD token quota
 * @param portName the SCSI initiator port name, as logs and {@link Nexus#toString} show it
 * @param transportId the TransportID of this port (SPC-4 7.6.4: protocol identifier, format and
 *     the fabric's name of the port) that PERSISTENT RESERVE IN READ FULL STATUS reports; at least
 *     24 bytes, a multiple of 4
 */
public record InitiatorPort(String name, String portName, byte[] transportId) {
    public InitiatorPort {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(portName, "portName");
        if (transportId.length < 24 || transportId.length % 4 != 0) {
            throw new IllegalArgumentException("a TransportID is at least 24 bytes, a multiple of 4 (SPC-4 7.6.4.1), got "
                    + transportId.length);
        }
        transportId = transportId.clone();
    }

    /** A copy of the TransportID bytes. */
    @Override
    public byte[] transportId() {
        return transportId.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitiatorPort p && name.equals(p.name) && portName.equals(p.portName)
                && Arrays.equals(transportId, p.transportId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, portName) * 31 + Arrays.hashCode(transportId);
    }

    @Override
    public String toString() {
        return portName;
    }
}
