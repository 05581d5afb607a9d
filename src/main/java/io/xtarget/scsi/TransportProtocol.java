package io.xtarget.scsi;

/**
 * The SCSI transport protocol of a target port, as the fabric that owns the port declares it.
 *
 * @param identifier the PROTOCOL IDENTIFIER (SPC-4 7.6.1, table 362) of the port's designators in
 *     VPD page 83h
 * @param versionDescriptor the transport's version descriptor (SPC-4 6.6.2, table 148) in standard
 *     INQUIRY data, or 0 to claim none
 */
public record TransportProtocol(int identifier, int versionDescriptor) {
    public TransportProtocol {
        if (identifier < 0 || identifier > 0xF) {
            throw new IllegalArgumentException("protocol identifier is 4 bits, got " + identifier);
        }
        if (versionDescriptor < 0 || versionDescriptor > 0xFFFF) {
            throw new IllegalArgumentException("version descriptor is 16 bits, got " + versionDescriptor);
        }
    }
}
