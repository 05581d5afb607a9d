package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How {@link Login} turns the key table's verdicts into login responses, over a live fabric. */
@Timeout(60)
class LoginKeysTest {
    static final String INITIATOR = "iqn.2026-11.io.example:keys";
    static FabricFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = new FabricFixture(false);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    /** One connection's login, request by request. */
    static final class Client extends LoginClient {
        Client() throws IOException {
            super(fixture.server.boundAddresses().get(0), 0x0023_0000_0042L);
        }
    }

    private static Client securityStage() throws Exception {
        Client c = new Client();
        c.send(true, 0, 1, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN, "SessionType", "Normal",
                "AuthMethod", "None");
        assertThat(c.status()).isZero();
        assertThat(c.last.transit()).isTrue();
        return c;
    }

    @Test
    void libiscsiRepeatsItsNamesInTheOperationalStageAndThatIsAccepted() throws Exception {
        try (Client c = securityStage()) {
            c.send(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN, "SessionType", "Normal",
                    "HeaderDigest", "None", "MaxRecvDataSegmentLength", "65536", "X-com.example.Key", "1",
                    "TargetAlias", "me", "IFMarker", "No", "OFMarkInt", "1~2");
            assertThat(c.status()).isZero();
            assertThat(c.last.nsg()).isEqualTo(3);
            assertThat(c.keys.get("HeaderDigest")).isEqualTo("None");
            assertThat(c.keys.get("X-com.example.Key")).isEqualTo("NotUnderstood");
            assertThat(c.keys.get("TargetAlias")).isEqualTo("NotUnderstood");
            assertThat(c.keys.get("IFMarker")).isEqualTo("No");
            assertThat(c.keys.get("OFMarkInt")).isEqualTo("Reject");
            assertThat(c.keys.contains("InitiatorName")).isFalse();
        }
    }

    @Test
    void aRedeclaredNameWithAnotherValueIsAnInitiatorError() throws Exception {
        try (Client c = securityStage()) {
            c.send(true, 1, 3, "TargetName", "iqn.2026-11.io.xtarget:other");
            assertThat(c.status()).isEqualTo(0x0200);
        }
    }

    @Test
    void aKeyNegotiatedTwiceIsAnInitiatorError() throws Exception {
        try (Client c = securityStage()) {
            c.send(false, 1, 3, "MaxBurstLength", "65536");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("MaxBurstLength")).isEqualTo("65536");
            c.send(true, 1, 3, "MaxBurstLength", "32768");
            assertThat(c.status()).isEqualTo(0x0200);
        }
    }

    @Test
    void anOperationalKeyInTheSecurityStageIsAnInitiatorError() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 0, 1, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN, "AuthMethod", "None",
                    "HeaderDigest", "None");
            assertThat(c.status()).isEqualTo(0x0200);
        }
        try (Client c = securityStage()) {
            c.send(true, 1, 3, "AuthMethod", "None");
            assertThat(c.status()).as("a security key in the operational stage").isEqualTo(0x0200);
        }
    }

    @Test
    void chapKeysAreIrrelevantOnceAuthMethodIsNone() throws Exception {
        try (Client c = new Client()) {
            c.send(false, 0, 1, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN, "AuthMethod", "None",
                    "CHAP_A", "5");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("AuthMethod")).isEqualTo("None");
            assertThat(c.keys.get("CHAP_A")).isEqualTo("Irrelevant");
        }
    }

    @Test
    void invalidValuesAreRejectedOrFailTheLoginForDeclarations() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN, "MaxBurstLength", "1",
                    "InitialR2T", "maybe");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("MaxBurstLength")).isEqualTo("Reject");
            assertThat(c.keys.get("InitialR2T")).isEqualTo("Reject");
        }
        try (Client c = new Client()) {
            c.send(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN,
                    "MaxRecvDataSegmentLength", "256");
            assertThat(c.status()).isEqualTo(0x0200);
        }
        try (Client c = new Client()) {
            c.send(true, 1, 3, "InitiatorName", INITIATOR, "TargetName", FabricFixture.IQN, "ImmediateData",
                    "Irrelevant");
            assertThat(c.status()).as("a reserved constant as a value").isEqualTo(0x0200);
        }
    }

    @Test
    void discoveryAnswersIrrelevantForSessionDataKeys() throws Exception {
        try (Client c = new Client()) {
            c.send(true, 1, 3, "InitiatorName", INITIATOR, "SessionType", "Discovery", "MaxBurstLength", "65536",
                    "ImmediateData", "Yes", "ErrorRecoveryLevel", "0", "SendTargets", "All");
            assertThat(c.status()).as("SendTargets belongs to full feature phase").isEqualTo(0x0200);
        }
        try (Client c = new Client()) {
            c.send(true, 1, 3, "InitiatorName", INITIATOR, "SessionType", "Discovery", "MaxBurstLength", "65536",
                    "ImmediateData", "Yes", "ErrorRecoveryLevel", "0");
            assertThat(c.status()).isZero();
            assertThat(c.keys.get("MaxBurstLength")).isEqualTo("Irrelevant");
            assertThat(c.keys.get("ImmediateData")).isEqualTo("Irrelevant");
            assertThat(c.keys.get("ErrorRecoveryLevel")).isEqualTo("0");
        }
    }
}
