package io.xtarget.vhost;

import io.xtarget.scsi.InitiatorPort;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.TransportProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The SCSI names of a vhost-user controller's ports. virtio-scsi has no SCSI transport protocol
 * of its own, so the controller presents itself as SAS, as Linux's vhost-scsi does: each port
 * gets a SAS address, an NAA type 5 (IEEE registered) name derived from the socket path, stable
 * across restarts. The target port's SCSI name string is "naa." and its 16 hex digits (SPC-4
 * 7.8.6.11); the guest's initiator port has its own address and a SAS TransportID (SPC-4
 * 7.6.4.7: format 00b, protocol 6h, the 8-byte SAS address, 24 bytes).
 */
public final class VhostPorts {
    /** SAS: protocol identifier 6h (SPC-4 7.6.1), version descriptor 0BE0h (SAS, no version claimed). */
    public static final TransportProtocol TRANSPORT = new TransportProtocol(6, 0x0BE0);
    /** NAA 5 with the company id of xtarget's NAA 6 LU designators (0A5854h, config.Designators). */
    private static final long NAA5_PREFIX = 0x5_0A58_54L << 36;

    private VhostPorts() {}

    /** The target port of the controller listening on {@code socket}. */
    public static TargetPort targetPort(Path socket, int relativePortId) {
        String name = VhostController.NAME_PREFIX + socket;
        return new TargetPort(name, naaName(sasAddress(socket, 't')), TRANSPORT, relativePortId, relativePortId,
                socket.toString(), 1);
    }

    /** The initiator port of the guest connected to {@code socket}: one per controller. */
    public static InitiatorPort initiatorPort(Path socket) {
        long address = sasAddress(socket, 'i');
        byte[] tid = new byte[24];
        tid[0] = (byte) TRANSPORT.identifier(); // format 00b
        for (int i = 0; i < 8; i++) {
            tid[4 + i] = (byte) (address >>> (56 - 8 * i));
        }
        return new InitiatorPort(VhostController.NAME_PREFIX + socket, naaName(address), tid);
    }

    /** The I_T nexus of the guest on {@code socket}: its copies reach what the LUN maps grant. */
    public static Nexus nexus(Path socket, TargetPort port) {
        return new Nexus(initiatorPort(socket), port);
    }

    /** The I_T nexus of the guest on {@code socket}, its copies judged by {@code reachability}. */
    public static Nexus nexus(Path socket, TargetPort port, io.xtarget.scsi.CopyReachability reachability) {
        return new Nexus(initiatorPort(socket), port, reachability);
    }

    private static String naaName(long address) {
        return String.format("naa.%016x", address);
    }

    /** NAA 5: the prefix, then 36 bits of SHA-256 over the socket path and the port's role. */
    static long sasAddress(Path socket, char role) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256")
                    .digest((role + ":" + socket.toAbsolutePath().normalize()).getBytes(StandardCharsets.UTF_8));
            long bits = 0;
            for (int i = 0; i < 5; i++) {
                bits = (bits << 8) | (h[i] & 0xFF);
            }
            return NAA5_PREFIX | (bits >>> 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
