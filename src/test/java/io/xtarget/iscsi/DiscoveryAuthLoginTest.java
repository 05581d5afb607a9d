package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Chap;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The login decision for discovery sessions with the server's discovery secrets
 * ({@link IscsiServer#discoveryAuth}), PDU by PDU over a live fabric: CHAP is required (RFC 7143
 * 12.1), every failure is status 0201 (11.13.5), and normal sessions keep their own rules.
 */
@Timeout(60)
class DiscoveryAuthLoginTest {
    static final String OPEN_TARGET = "iqn.2026-11.io.xtarget:open";
    static final String CHAP_TARGET = "iqn.2026-11.io.xtarget:chap";
    static final String HOST = "iqn.2026-11.io.example:host";
    static final ChapCredentials ONE_WAY = new ChapCredentials("disc", "discsecret12");
    static final ChapCredentials MUTUAL = new ChapCredentials("disc", "discsecret12", "xtarget", "targetsecret");

    static IscsiServer server;

    @BeforeAll
    static void start() throws Exception {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        LogicalUnit lu = new LogicalUnit("ram0", new HeapStore(512, 2048), naa, "serial0", false);
        LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
        Target open = new Target(OPEN_TARGET, List.of(IscsiPorts.targetPort(OPEN_TARGET, 1, 1, 1, "127.0.0.1:0")), luns,
                Map.of(), CopyAccessPolicy.INITIATOR);
        Target chap = new Target(CHAP_TARGET, List.of(IscsiPorts.targetPort(CHAP_TARGET, 1, 2, 2, "127.0.0.1:0")), luns,
                Map.of(), CopyAccessPolicy.INITIATOR);
        // Refused discovery logins count against the login throttle like any other (one name, one
        // address here): it runs at 1-5 ms, as in ChapLoginTest; LoginThrottleE2eTest covers it.
        server = new IscsiServer(new ScsiCore(OpcodeTable.builder().addAll(new MiniCommands()).build(),
                List.of(open, chap)), IscsiServer.Options.defaults().withLoginBackoff(Duration.ofMillis(1),
                        Duration.ofMillis(5)),
                Map.of(CHAP_TARGET, new IscsiTargetSecurity(new ChapCredentials("alice", "alicesecret1"), Map.of())));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void noDiscoveryAuth() {
        server.discoveryAuth(null);
    }

    /** One connection's login, PDU by PDU. */
    static final class Client extends LoginClient {
        Client() throws IOException {
            super(server.boundAddresses().getFirst(), 0x0023_0000_0002L);
        }

        /** CHAP steps 1 and 2 of a discovery login, offering CHAP,None as libiscsi does. */
        Client challenge() throws Exception {
            send(true, 0, 1, "InitiatorName", HOST, "SessionType", "Discovery", "AuthMethod", "CHAP,None");
            assertThat(status()).isZero();
            assertThat(keys.get("AuthMethod")).isEqualTo("CHAP");
            assertThat(last.transit()).as("no transit before CHAP is done").isFalse();
            send(false, 0, 1, "CHAP_A", "5");
            assertThat(status()).isZero();
            assertThat(keys.get("CHAP_C")).matches("0x[0-9a-f]{32,}");
            return this;
        }

        /** The operational stage; full feature phase reached. */
        void finishLogin() throws Exception {
            send(true, 1, 3, "HeaderDigest", "None");
            assertThat(status()).isZero();
            assertThat(last.nsg()).isEqualTo(3);
            assertThat(last.tsih()).isNotZero();
        }
    }

    @Test
    void oneWayChapWithTheDiscoverySecretReachesFullFeaturePhase() throws Exception {
        server.discoveryAuth(ONE_WAY);
        try (Client c = new Client().challenge()) {
            c.send(true, 0, 1, "CHAP_N", "disc", "CHAP_R", Chap.hex(c.response("discsecret12")));
            assertThat(c.status()).isZero();
            assertThat(c.last.transit()).isTrue();
            assertThat(c.keys.contains("TargetPortalGroupTag")).as("no TPGT in discovery").isFalse();
            c.finishLogin();
        }
    }

    @Test
    void everyChallengeIsFresh() throws Exception {
        server.discoveryAuth(ONE_WAY);
        try (Client a = new Client().challenge(); Client b = new Client().challenge()) {
            assertThat(a.keys.get("CHAP_C")).isNotEqualTo(b.keys.get("CHAP_C"));
        }
    }

    @Test
    void mutualChapAnswersWithTheDiscoveryMutualSecret() throws Exception {
        server.discoveryAuth(MUTUAL);
        byte[] ours = "sixteen byte chl".getBytes(StandardCharsets.US_ASCII);
        try (Client c = new Client().challenge()) {
            c.send(true, 0, 1, "CHAP_N", "disc", "CHAP_R", Chap.hex(c.response("discsecret12")), "CHAP_I", "7",
                    "CHAP_C", Chap.hex(ours));
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("CHAP_N")).isEqualTo("xtarget");
            assertThat(Chap.decodeBinary(c.keys.get("CHAP_R"))).isEqualTo(Chap.response(7, "targetsecret", ours));
            c.finishLogin();
        }
    }

    @Test
    void wrongSecretWrongUserReflectionAndUnconfiguredMutualGet0201() throws Exception {
        server.discoveryAuth(ONE_WAY);
        try (Client c = new Client().challenge()) {
            c.send(true, 0, 1, "CHAP_N", "disc", "CHAP_R", Chap.hex(c.response("discsecret13")));
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client().challenge()) {
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(c.response("discsecret12")));
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client().challenge()) {
            // The secret of a target is not the discovery secret.
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(c.response("alicesecret1")));
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client().challenge()) {
            c.send(true, 0, 1, "CHAP_N", "disc", "CHAP_R", Chap.hex(c.response("discsecret12")), "CHAP_I", "1",
                    "CHAP_C", "0x00112233445566778899aabbccddeeff");
            assertThat(c.status()).as("mutual asked, none configured").isEqualTo(0x0201);
        }
        server.discoveryAuth(MUTUAL);
        try (Client c = new Client().challenge()) {
            c.send(true, 0, 1, "CHAP_N", "disc", "CHAP_R", Chap.hex(c.response("discsecret12")), "CHAP_I", "1",
                    "CHAP_C", c.keys.get("CHAP_C"));
            assertThat(c.status()).as("reflected challenge").isEqualTo(0x0201);
        }
    }

    @Test
    void noneNoAuthMethodAndSkippingSecurityGet0201() throws Exception {
        server.discoveryAuth(ONE_WAY);
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", HOST, "SessionType", "Discovery", "AuthMethod", "None");
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", HOST, "SessionType", "Discovery");
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client()) {
            // libiscsi without credentials goes straight to the operational stage.
            c.send(true, 1, 3, "InitiatorName", HOST, "SessionType", "Discovery", "HeaderDigest", "None");
            assertThat(c.status()).isEqualTo(0x0201);
        }
        try (Client c = new Client().challenge()) {
            c.send(true, 1, 3, "HeaderDigest", "None");
            assertThat(c.status()).as("left the security stage before the response").isEqualTo(0x0201);
        }
    }

    @Test
    void withoutDiscoverySecretsDiscoveryAnswersNone() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", HOST, "SessionType", "Discovery", "AuthMethod", "CHAP,None");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("AuthMethod")).isEqualTo("None");
            c.finishLogin();
        }
    }

    @Test
    void normalSessionsKeepTheirOwnRules() throws Exception {
        server.discoveryAuth(ONE_WAY);
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", HOST, "TargetName", OPEN_TARGET, "AuthMethod", "None");
            assertThat(c.status()).as("a target without secrets needs none").isZero();
            c.finishLogin();
        }
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", HOST, "TargetName", CHAP_TARGET, "AuthMethod", "CHAP");
            c.send(false, 0, 1, "CHAP_A", "5");
            c.send(true, 0, 1, "CHAP_N", "disc", "CHAP_R", Chap.hex(c.response("discsecret12")));
            assertThat(c.status()).as("discovery secrets do not open a target").isEqualTo(0x0201);
        }
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", HOST, "TargetName", CHAP_TARGET, "AuthMethod", "CHAP");
            c.send(false, 0, 1, "CHAP_A", "5");
            c.send(true, 0, 1, "CHAP_N", "alice", "CHAP_R", Chap.hex(c.response("alicesecret1")));
            assertThat(c.status()).isZero();
            c.finishLogin();
        }
    }

    @Test
    void changingTheSecretsClosesOpenDiscoverySessionsOnly() throws Exception {
        try (Client discovery = new Client(); Client normal = new Client()) {
            discovery.send(true, 0, 1, "InitiatorName", HOST, "SessionType", "Discovery", "AuthMethod", "None");
            discovery.finishLogin();
            normal.send(true, 0, 1, "InitiatorName", HOST, "TargetName", OPEN_TARGET, "AuthMethod", "None");
            normal.finishLogin();
            server.discoveryAuth(ONE_WAY);
            ByteBuffer b = ByteBuffer.allocate(1);
            assertThat(discovery.socket.read(b)).as("closed by the target").isEqualTo(-1);
            normal.ch.write(new NopOut(true, 0, 5, -1, 1, normal.last.statSn() + 1, ByteBuffer.allocate(0)));
            assertThat(normal.ch.read()).as("the normal session goes on").isInstanceOfSatisfying(NopIn.class,
                    in -> assertThat(in.itt()).isEqualTo(5));
        }
    }
}
