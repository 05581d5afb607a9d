package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.initiator.TextKeys.Pair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NegotiationTest {
    private static Negotiation offered(InitiatorOptions o) {
        Negotiation n = new Negotiation(o, false);
        n.securityOffer();
        n.operationalOffer();
        return n;
    }

    @Test
    void operationalOfferListsEveryKeyOnce() {
        Map<String, String> m = TextKeys.toMap(new Negotiation(InitiatorOptions.defaults()
                .withDigests(List.of(Digest.CRC32C, Digest.NONE), List.of(Digest.NONE)), false).operationalOffer());
        assertThat(m).containsEntry("HeaderDigest", "CRC32C,None").containsEntry("DataDigest", "None")
                .containsEntry("ErrorRecoveryLevel", "0").containsEntry("MaxConnections", "1")
                .containsEntry("InitialR2T", "No").containsEntry("ImmediateData", "Yes")
                .containsEntry("MaxBurstLength", "1048576").containsEntry("FirstBurstLength", "262144")
                .containsEntry("MaxRecvDataSegmentLength", "262144").containsEntry("DataPDUInOrder", "Yes")
                .containsEntry("DataSequenceInOrder", "Yes").containsEntry("MaxOutstandingR2T", "1")
                .containsEntry("DefaultTime2Wait", "2").containsEntry("DefaultTime2Retain", "20");
    }

    @Test
    void discoveryOfferLeavesOutSessionDataKeys() {
        Map<String, String> m = TextKeys.toMap(new Negotiation(InitiatorOptions.defaults(), true).operationalOffer());
        assertThat(m).containsKeys("HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength")
                .doesNotContainKeys("MaxBurstLength", "InitialR2T", "ImmediateData");
    }

    @Test
    void answersApplyResultFunctions() throws Exception {
        Negotiation n = offered(InitiatorOptions.defaults());
        List<Pair> mine = n.apply(List.of(new Pair("AuthMethod", "None"), new Pair("MaxBurstLength", "262144"),
                new Pair("FirstBurstLength", "65536"), new Pair("InitialR2T", "Yes"),
                new Pair("ImmediateData", "No"), new Pair("MaxRecvDataSegmentLength", "8192"),
                new Pair("DefaultTime2Wait", "5"), new Pair("TargetAlias", "disk")));
        assertThat(mine).isEmpty();
        NegotiatedParameters p = n.result();
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.firstBurstLength()).isEqualTo(65536);
        assertThat(p.initialR2T()).isTrue();
        assertThat(p.immediateData()).isFalse();
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(8192);
        assertThat(p.defaultTime2Wait()).isEqualTo(5);
        assertThat(p.targetAlias()).isEqualTo("disk");
    }

    @Test
    void targetOffersAreAnswered() throws Exception {
        Negotiation n = new Negotiation(InitiatorOptions.defaults(), false);
        List<Pair> mine = n.apply(List.of(new Pair("MaxOutstandingR2T", "8"), new Pair("DataDigest", "CRC32C,None"),
                new Pair("X-vendor.key", "1"), new Pair("FancyKey", "1")));
        assertThat(mine).containsExactly(new Pair("MaxOutstandingR2T", "1"), new Pair("DataDigest", "None"),
                new Pair("FancyKey", "NotUnderstood"));
    }

    @Test
    void answersOutsideTheOfferFailTheLogin() {
        assertThatThrownBy(() -> offered(InitiatorOptions.defaults()).apply(List.of(new Pair("MaxBurstLength",
                "2097152")))).isInstanceOf(LoginException.class).hasMessageContaining("above our offer");
        assertThatThrownBy(() -> offered(InitiatorOptions.defaults()).apply(List.of(new Pair("HeaderDigest",
                "CRC32C")))).isInstanceOf(LoginException.class).hasMessageContaining("did not offer");
        assertThatThrownBy(() -> offered(InitiatorOptions.defaults()).apply(List.of(new Pair("AuthMethod",
                "CHAP")))).isInstanceOf(LoginException.class).hasMessageContaining("requires authentication");
        assertThatThrownBy(() -> offered(InitiatorOptions.defaults()).apply(List.of(new Pair("MaxBurstLength",
                "lots")))).isInstanceOf(LoginException.class).hasMessageContaining("non-numeric");
        assertThatThrownBy(() -> offered(InitiatorOptions.defaults()).apply(List.of(new Pair("DataPDUInOrder",
                "No")))).isInstanceOf(LoginException.class).hasMessageContaining("to our Yes");
    }

    @Test
    void rejectedKeysKeepDefaultsAndFirstBurstNeverExceedsMaxBurst() throws Exception {
        Negotiation n = offered(InitiatorOptions.defaults());
        n.apply(List.of(new Pair("HeaderDigest", "Reject"), new Pair("MaxBurstLength", "4096"),
                new Pair("FirstBurstLength", "8192")));
        NegotiatedParameters p = n.result();
        assertThat(p.headerDigest()).isEqualTo(Digest.NONE);
        assertThat(p.maxBurstLength()).isEqualTo(4096);
        assertThat(p.firstBurstLength()).isEqualTo(4096);
    }
}
