package io.xtarget.scsi;

/** Nexuses for reservation tests, built as a fabric would (without naming one). */
final class ReservationFixtures {
    static final TransportProtocol PROTOCOL = new TransportProtocol(5, 0x0960);

    private ReservationFixtures() {}

    /** Port {@code relative} of target "tgt", SCSI port name "tgt,t,0x0001" whatever the relative id (two gateways). */
    static TargetPort port(int relative) {
        return new TargetPort("tgt", "tgt,t,0x0001", PROTOCOL, relative, relative, "127.0.0.1:3260", 1);
    }

    static Nexus nexus(String initiator, int relativePort) {
        byte[] tid = new byte[24];
        byte[] name = initiator.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(name, 0, tid, 4, Math.min(name.length, 19));
        return new Nexus(new InitiatorPort(initiator, initiator + ",i,0x01", tid), port(relativePort));
    }
}
