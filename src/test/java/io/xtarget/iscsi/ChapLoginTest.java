package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.iscsi.pdu.Chap;
import io.xtarget.iscsi.pdu.LoginRequest;
import io.xtarget.iscsi.pdu.LoginResponse;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The security stage of {@link Login} with CHAP, driven PDU by PDU over a live fabric: the
 * exchange libiscsi and open-iscsi make, and every way it can go wrong (status 0201).
 */
@Timeout(60)
class ChapLoginTest {
    static final String CHAP_TARGET = "iqn.2026-11.io.xtarget:chap";
    static final String OPEN_TARGET = "iqn.2026-11.io.xtarget:open";
    /** Uses the target's (mutual) secrets. */
    static final String ALICE = "iqn.2026-11.io.example:alice";
    /** Has its own one-way secrets in the ACL. */
    static final String BOB = "iqn.2026-11.io.example:bob";
    static final ChapCredentials TARGET_CHAP = new ChapCredentials("alice", "alicesecret1", "target",
            "targetsecret");
    static final ChapCredentials BOB_CHAP = new ChapCredentials("bob", "bobsecret123");

    static IscsiServer server;

    @BeforeAll
    static void start() throws Exception {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        LogicalUnit lu = new LogicalUnit("ram0", new HeapStore(512, 2048), naa, "serial0", false);
        LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
        Target chap = new Target(CHAP_TARGET, List.of(IscsiPorts.targetPort(CHAP_TARGET, 1, 1, 1, "127.0.0.1:0")), null,
                Map.of(ALICE, luns, BOB, luns), CopyAccessPolicy.INITIATOR);
        Target open = new Target(OPEN_TARGET, List.of(IscsiPorts.targetPort(OPEN_TARGET, 1, 2, 2, "127.0.0.1:0")), luns,
                Map.of(), CopyAccessPolicy.INITIATOR);
        // Many failed logins from one name and address: the login throttle (LoginThrottleTest) at 1-5 ms.
        server = new IscsiServer(new ScsiCore(OpcodeTable.builder().addAll(new MiniCommands()).build(),
                List.of(chap, open)), IscsiServer.Options.defaults().withLoginBackoff(Duration.ofMillis(1),
                        Duration.ofMillis(5)),
                Map.of(CHAP_TARGET, new IscsiTargetSecurity(TARGET_CHAP, Map.of(BOB, BOB_CHAP))));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One connection's login, PDU by PDU. */
    static final class Client extends LoginClient {
        Client() throws IOException {
            super(server.boundAddresses().get(0), 0x0023_0000_0001L);
        }

        /** Steps 1 and 2 of CHAP for a normal session; the initiator asks to transit as libiscsi does. */
        Client challenge(String initiator, String target) throws Exception {
            send(true, 0, 1, "InitiatorName", initiator, "TargetName", target, "SessionType", "Normal",
                    "AuthMethod", "CHAP,None");
            assertThat(status()).isZero();
            assertThat(last.transit()).as("no transit before CHAP is done").isFalse();
            assertThat(keys.get("AuthMethod")).isEqualTo("CHAP");
            send(false, 0, 1, "CHAP_A", "5");
            assertThat(status()).isZero();
            assertThat(last.transit()).isFalse();
            assertThat(keys.get("CHAP_A")).isEqualTo("5");
            assertThat(keys.get("CHAP_C")).matches("0x[0-9a-f]{32,}");
            return this;
        }

        /** Finishes with the operational stage and checks we reach full feature phase. */
        void finishLogin() throws Exception {
            send(true, 1, 3, "HeaderDigest", "None", "DataDigest", "None");
            assertThat(status()).isZero();
            assertThat(last.transit()).isTrue();
            assertThat(last.nsg()).isEqualTo(3);
            assertThat(last.tsih()).isNotZero();
        }
    }

    @Test
    void oneWayChapWithAclSecrets() throws Exception {
        try (Client c = new Client().challenge(BOB, CHAP_TARGET)) {
            c.send(true, 0, 1, "CHAP_N", "bob", "CHAP_R", Chap.hex(c.response("bobsecret123")));
            assertThat(c.status()).isZero();
            assertThat(c.last.transit()).isTrue();
            assertThat(c.last.nsg()).isEqualTo(1);
            assertThat(c.keys.contains("CHAP_N")).isFalse();
            c.finishLogin();
        }
    }

    @Test
    void theResponseMayBeBase64() throws Exception {
        try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", "0b" + Base64.getEncoder().encodeToString(
                    c.response("alicesecret1")));
            assertThat(c.status()).isZero();
            c.finishLogin();
        }
    }

    @Test
    void aclSecretsOverrideTheTargetSecrets() throws Exception {
        try (Client c = new Client().challenge(BOB, CHAP_TARGET)) {
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(c.response("alicesecret1")));
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }

    @Test
    void mutualChapTargetAnswersWithItsOwnSecret() throws Exception {
        byte[] ours = "sixteen byte chl".getBytes(StandardCharsets.US_ASCII);
        try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(c.response("alicesecret1")), "CHAP_I", "9",
                    "CHAP_C", Chap.hex(ours));
            assertThat(c.status()).isZero();
            assertThat(c.last.transit()).isTrue();
            assertThat(c.keys.get("CHAP_N")).isEqualTo("target");
            // Independent of Chap.response: RFC 1994 spelled out.
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update((byte) 9);
            md5.update("targetsecret".getBytes(StandardCharsets.US_ASCII));
            assertThat(Chap.decodeBinary(c.keys.get("CHAP_R"))).isEqualTo(md5.digest(ours));
            c.finishLogin();
        }
    }

    @Test
    void wrongSecretWrongUserAndMalformedResponsesGet0201() throws Exception {
        String[][] cases = {
            {"alice", "WRONG"}, {"mallory", "RIGHT"}, {"alice", "0x123"}, {"alice", "0xnothex0nothex0nothex0nothex0no"},
            {"alice", "0x" + "ab".repeat(2000)}, {"alice", "0b***"},
        };
        for (String[] k : cases) {
            try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
                String r = switch (k[1]) {
                    case "WRONG" -> Chap.hex(c.response("alicesecret2"));
                    case "RIGHT" -> Chap.hex(c.response("alicesecret1"));
                    default -> k[1];
                };
                c.send(true, 0, 1, "CHAP_N", k[0], "CHAP_R", r);
                assertThat(c.status()).as(String.join(" ", k[0], k[1].substring(0, Math.min(20, k[1].length()))))
                        .isEqualTo(0x0201);
                assertThat(c.last.transit()).isFalse();
            }
        }
    }

    /** A CHAP_R value of 8194 characters: "0x" and 4096 bytes in hex, four times the RFC's 1024-byte bound. */
    static final String CHAP_R_8194 = "0x" + "ab".repeat(4096);

    /** Sends one login request PDU carrying {@code text} (C bit as given) and returns the response. */
    static LoginResponse sendRaw(Client c, boolean transit, boolean cont, byte[] text, int from, int length)
            throws Exception {
        c.ch.write(new LoginRequest(transit, cont, 0, 1, 0, 0, 0x0023_0000_0001L, 0, 1, 0, 1, 0,
                ByteBuffer.wrap(text, from, length)));
        Pdu p = c.ch.read();
        assertThat(p).isInstanceOf(LoginResponse.class);
        c.last = (LoginResponse) p;
        return c.last;
    }

    /** After a refused login the target closes with a FIN, never a reset (RST would be a SocketException). */
    static void assertClosedCleanly(Client c) {
        assertThatThrownBy(c.ch::read).isInstanceOf(java.io.EOFException.class);
    }

    @Test
    void aChapResponseOf8194BytesInOnePduGets0201NotAReset() throws Exception {
        // The PDU's data segment (8214 bytes) is over the 8192 a login PDU may carry (RFC 7143
        // 13.12): dropped unread and answered; the value would be over CHAP_R's 1024-byte bound anyway.
        byte[] text = ("CHAP_N=alice\0CHAP_R=" + CHAP_R_8194 + "\0").getBytes(StandardCharsets.US_ASCII);
        assertThat(text.length).isGreaterThan(8192);
        try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
            sendRaw(c, true, false, text, 0, text.length);
            assertThat(c.status()).isEqualTo(0x0201);
            assertThat(c.last.transit()).isFalse();
            assertClosedCleanly(c);
        }
    }

    @Test
    void aChapResponseOf8194BytesOverContinuePdusGets0201() throws Exception {
        // RFC 7143 6.3.4: long text is split over PDUs with the C bit; 6.1 still bounds the value.
        byte[] text = ("CHAP_N=alice\0CHAP_R=" + CHAP_R_8194 + "\0").getBytes(StandardCharsets.US_ASCII);
        try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
            LoginResponse ack = sendRaw(c, false, true, text, 0, 8192);
            assertThat(ack.statusClass()).isZero();
            assertThat(ack.data().remaining()).isZero();
            sendRaw(c, true, false, text, 8192, text.length - 8192);
            assertThat(c.status()).isEqualTo(0x0201);
            assertClosedCleanly(c);
        }
    }

    @Test
    void malformedChapValuesAndMissingKeysGet0201() throws Exception {
        String[][] cases = {
            {"CHAP_N", "alice", "CHAP_R", "0b" + "A".repeat(22) + "=="}, // base64 of 16 bytes, wrong padding
            {"CHAP_N", "alice", "CHAP_R", "0bQUJD"}, // good base64, 3 bytes: the wrong length
            {"CHAP_N", "alice", "CHAP_R", "0x" + "00".repeat(17)}, // 17 bytes
            {"CHAP_N", "alice", "CHAP_R", "12345"}, // neither hex nor base64
            {"CHAP_N", "alice", "CHAP_R", "0x"},
            {"CHAP_N", "a".repeat(4000), "CHAP_R", "0x" + "00".repeat(16)}, // CHAP_N too long
            {"CHAP_N", "alice"}, // no CHAP_R
            {"CHAP_R", "0x" + "00".repeat(16)}, // no CHAP_N
            {"CHAP_N", "alice", "CHAP_R", "0x" + "00".repeat(16), "CHAP_I", "300", "CHAP_C", "0x0011"}, // bad CHAP_I
            {"CHAP_N", "alice", "CHAP_R", "0x" + "00".repeat(16), "CHAP_C", "0x" + "11".repeat(2000)}, // long CHAP_C
        };
        for (String[] kv : cases) {
            try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
                c.send(true, 0, 1, kv);
                assertThat(c.status()).as(String.join(" ", kv).substring(0, Math.min(60, String.join(" ", kv)
                        .length()))).isEqualTo(0x0201);
                assertClosedCleanly(c);
            }
        }
    }

    @Test
    void anOversizedFirstRequestGets0200AndAFin() throws Exception {
        // No CHAP exchange under way: a protocol error of the initiator (RFC 7143 11.13.5 status 0200).
        String keys = "InitiatorName=" + ALICE + "\0TargetName=" + CHAP_TARGET + "\0X-Pad=" + "p".repeat(9000)
                + "\0";
        byte[] text = keys.getBytes(StandardCharsets.US_ASCII);
        try (Client c = new Client()) {
            sendRaw(c, true, false, text, 0, text.length);
            assertThat(c.status()).isEqualTo(0x0200);
            assertClosedCleanly(c);
        }
    }

    @Test
    void reflectedChallengeIsRefused() throws Exception {
        try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(c.response("alicesecret1")), "CHAP_I", "1",
                    "CHAP_C", c.keys.get("CHAP_C").toUpperCase().replace("0X", "0x"));
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }

    @Test
    void mutualChapWithoutAConfiguredMutualSecretIsRefused() throws Exception {
        try (Client c = new Client().challenge(BOB, CHAP_TARGET)) {
            c.send(true, 0, 1, "CHAP_N", "bob", "CHAP_R", Chap.hex(c.response("bobsecret123")), "CHAP_I", "1",
                    "CHAP_C", "0x00112233445566778899aabbccddeeff");
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }

    @Test
    void chapTargetRefusesNoneAndLoginsThatSkipSecurity() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", ALICE, "TargetName", CHAP_TARGET, "AuthMethod", "None");
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client()) {
            // libiscsi without credentials goes straight to the operational stage.
            c.send(true, 1, 3, "InitiatorName", ALICE, "TargetName", CHAP_TARGET, "HeaderDigest", "None");
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client()) {
            // No AuthMethod at all while the target requires CHAP.
            c.send(true, 0, 1, "InitiatorName", ALICE, "TargetName", CHAP_TARGET);
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client()) {
            c.send(false, 0, 1, "InitiatorName", ALICE, "TargetName", CHAP_TARGET, "AuthMethod", "CHAP");
            c.send(false, 0, 1, "CHAP_A", "6,7");
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }

    @Test
    void leavingTheSecurityStageWithoutAResponseFails() throws Exception {
        try (Client c = new Client().challenge(ALICE, CHAP_TARGET)) {
            // Operational keys instead of a response: the exchange is out of order.
            c.send(true, 1, 3, "HeaderDigest", "None");
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }

    @Test
    void targetWithoutChapKeepsAuthMethodNone() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", ALICE, "TargetName", OPEN_TARGET, "AuthMethod", "CHAP,None");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("AuthMethod")).isEqualTo("None");
            assertThat(c.last.transit()).isTrue();
            c.finishLogin();
        }
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", ALICE, "TargetName", OPEN_TARGET, "AuthMethod", "CHAP");
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }

    @Test
    void discoveryIsNeverAuthenticated() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", ALICE, "SessionType", "Discovery", "AuthMethod", "CHAP,None");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("AuthMethod")).isEqualTo("None");
            c.send(true, 1, 3, "HeaderDigest", "None");
            assertThat(c.status()).isZero();
            assertThat(c.last.nsg()).isEqualTo(3);
        }
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", ALICE, "SessionType", "Discovery", "AuthMethod", "CHAP");
            assertThat(c.status()).isEqualTo(0x0201);
        }
    }
}
