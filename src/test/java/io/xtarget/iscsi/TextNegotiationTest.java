package io.xtarget.iscsi;

import static io.xtarget.iscsi.NegotiationTest.keys;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.NegotiationKey.Phase;
import io.xtarget.iscsi.NegotiationKey.Sender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Text Requests in full feature phase (RFC 7143 6.2, 7.11, 11.10, 13), without sockets. */
class TextNegotiationTest {
    /** What a login agreed: the initiator accepts 65536-byte segments. */
    static final SessionParams AGREED = new SessionParams(false, false, 262144, 65536, 262144, 65536, true, true, 1,
            true, true, 2, 20);

    private static TextNegotiation.Result answer(String request) {
        return TextNegotiation.answer(keys(request), AGREED);
    }

    @Test
    void maxRecvDataSegmentLengthIsDeclaredAndTakesEffect() {
        TextNegotiation.Result r = answer("MaxRecvDataSegmentLength=4096|");
        assertThat(r.protocolError()).isFalse();
        assertThat(r.answer().isEmpty()).as("declarative: nothing to answer (6.2, 13.12)").isTrue();
        assertThat(r.updated()).isEqualTo(new SessionParams(false, false, 262144, 4096, 262144, 65536, true, true, 1,
                true, true, 2, 20));
        assertThat(answer("MaxRecvDataSegmentLength=0x200|").updated().maxSendDataSegmentLength()).isEqualTo(512);
        assertThat(answer("MaxRecvDataSegmentLength=16777215|").updated().maxSendDataSegmentLength())
                .isEqualTo(16777215);
    }

    @Test
    void anInvalidMaxRecvDataSegmentLengthIsRejectedAndChangesNothing() {
        for (String v : new String[] {"511", "16777216", "abc", "", "-4096", "04096"}) {
            TextNegotiation.Result r = answer("MaxRecvDataSegmentLength=" + v + "|");
            assertThat(r.protocolError()).as(v).isFalse();
            assertThat(r.answer().get("MaxRecvDataSegmentLength")).as(v).isEqualTo("Reject");
            assertThat(r.updated()).as(v).isSameAs(AGREED);
        }
    }

    @Test
    void everyLoginOnlyKeyIsRejectedInFullFeaturePhase() {
        int rejected = 0;
        for (NegotiationKey k : NegotiationKeys.all()) {
            if (k.phases().contains(Phase.FULL_FEATURE) || k.sender() == Sender.TARGET) {
                continue;
            }
            String request = k.name() + "=" + NegotiationKeysTest.validValue(k) + "|";
            TextNegotiation.Result r = answer(request);
            assertThat(r.protocolError()).as(request).isFalse();
            assertThat(r.answer().asMap()).as(request).containsExactly(java.util.Map.entry(k.name(), "Reject"));
            assertThat(r.updated()).as(request).isSameAs(AGREED);
            rejected++;
        }
        assertThat(rejected).isEqualTo(29);
        assertThat(answer("HeaderDigest=CRC32C|InitialR2T=No|SessionType=Discovery|AuthMethod=None|").answer().asMap())
                .containsOnly(java.util.Map.entry("HeaderDigest", "Reject"), java.util.Map.entry("InitialR2T", "Reject"),
                        java.util.Map.entry("SessionType", "Reject"), java.util.Map.entry("AuthMethod", "Reject"));
    }

    @Test
    void aRejectedKeyFailsTheWholeNegotiation() {
        TextNegotiation.Result r = answer("MaxRecvDataSegmentLength=4096|MaxBurstLength=4096|");
        assertThat(r.answer().get("MaxBurstLength")).isEqualTo("Reject");
        assertThat(r.answer().contains("MaxRecvDataSegmentLength")).isFalse();
        assertThat(r.updated()).as("7.11: no partial result takes effect").isSameAs(AGREED);
    }

    @Test
    void unknownAndTargetOnlyKeysAreNotUnderstoodAndChangeNothingElse() {
        TextNegotiation.Result r = answer("X-com.example.Tune=9|TargetAlias=x|TargetAddress=y|TargetPortalGroupTag=1|"
                + "Bogus=1|MaxRecvDataSegmentLength=8192|");
        assertThat(r.protocolError()).isFalse();
        assertThat(r.answer().asMap()).containsOnlyKeys("X-com.example.Tune", "TargetAlias", "TargetAddress",
                "TargetPortalGroupTag", "Bogus").allSatisfy((k, v) -> assertThat(v).isEqualTo("NotUnderstood"));
        assertThat(r.updated().maxSendDataSegmentLength()).as("NotUnderstood is no failure").isEqualTo(8192);
    }

    @Test
    void initiatorAliasAndSendTargetsAreAcceptedSilently() {
        TextNegotiation.Result r = answer("InitiatorAlias=host1|SendTargets=All|");
        assertThat(r.protocolError()).isFalse();
        assertThat(r.answer().isEmpty()).isTrue();
        assertThat(r.updated()).isEqualTo(AGREED);
        assertThat(answer("SendTargets=|").answer().isEmpty()).isTrue();
    }

    @Test
    void malformedTextRepeatedKeysAndReservedValuesAreProtocolErrors() {
        for (String request : new String[] {"MaxRecvDataSegmentLength=4096|garbage|", "=4096|",
            "MaxRecvDataSegmentLength=4096|MaxRecvDataSegmentLength=8192|", "X-a=1|X-a=1|",
            "MaxRecvDataSegmentLength=Reject|", "InitiatorAlias=Irrelevant|", "HeaderDigest=NotUnderstood|",
            "K".repeat(64) + "=1|"}) {
            TextNegotiation.Result r = answer(request);
            assertThat(r.protocolError()).as(request).isTrue();
            assertThat(r.updated()).as(request).isSameAs(AGREED);
            assertThat(r.answer().isEmpty()).as(request).isTrue();
        }
        assertThat(answer("").protocolError()).as("an empty request is fine").isFalse();
    }

    @Test
    void theResponseBodyPutsSendTargetsFirst() {
        TextParameters a = new TextParameters().put("X-a", "NotUnderstood");
        byte[] targets = "TargetName=iqn.t\0TargetAddress=127.0.0.1:3260,1\0".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(TextNegotiation.body(targets, a), StandardCharsets.UTF_8))
                .isEqualTo("TargetName=iqn.t\0TargetAddress=127.0.0.1:3260,1\0X-a=NotUnderstood\0");
        assertThat(TextNegotiation.body(null, a)).isEqualTo(a.encode());
        assertThat(TextNegotiation.body(new byte[0], new TextParameters())).isEmpty();
    }
}
