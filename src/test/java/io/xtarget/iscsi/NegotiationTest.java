package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.NegotiationKey.Phase;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The login's answers (RFC 7143 6.2, 6.3, 13), driven by the key table, without sockets. */
class NegotiationTest {
    private static final String TARGET_MRDSL = Integer.toString(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT);

    static TextParameters keys(String s) {
        return TextParameters.parse(ByteBuffer.wrap(s.replace('|', '\0').getBytes(StandardCharsets.UTF_8)));
    }

    /** One operational-stage request of a leading normal login; asserts it does not fail the login. */
    private static TextParameters operational(Negotiation n, String request) {
        TextParameters answer = new TextParameters();
        assertThat(n.answer(keys(request), Phase.OPERATIONAL, answer)).as(request).isNull();
        return answer;
    }

    private static String answerTo(String key, String value) {
        return operational(new Negotiation(true, false), key + "=" + value + "|").get(key);
    }

    private static String failure(Negotiation n, Phase stage, String request) {
        return n.answer(keys(request), stage, new TextParameters());
    }

    @Test
    void eachNegotiatedKeyIsAnsweredByItsResultFunction() {
        String[][] cases = {
            // key, offer, answer
            {"HeaderDigest", "CRC32C,None", "CRC32C"}, {"HeaderDigest", "None,CRC32C", "None"},
            {"HeaderDigest", "MD5,CRC32C", "CRC32C"}, {"HeaderDigest", "MD5", "Reject"},
            {"DataDigest", "None", "None"}, {"DataDigest", "CRC32C", "CRC32C"},
            {"MaxConnections", "4", "1"}, {"MaxConnections", "1", "1"},
            {"InitialR2T", "No", "No"}, {"InitialR2T", "Yes", "Yes"},
            {"ImmediateData", "Yes", "Yes"}, {"ImmediateData", "No", "No"},
            {"MaxBurstLength", "65536", "65536"}, {"MaxBurstLength", "16777215", "16776192"},
            {"MaxBurstLength", "0x10000", "65536"},
            {"FirstBurstLength", "8192", "8192"}, {"FirstBurstLength", "1048576", "262144"},
            {"DefaultTime2Wait", "0", "2"}, {"DefaultTime2Wait", "30", "30"},
            {"DefaultTime2Retain", "0", "0"}, {"DefaultTime2Retain", "3600", "20"},
            {"MaxOutstandingR2T", "64", "16"}, {"MaxOutstandingR2T", "1", "1"},
            {"DataPDUInOrder", "No", "Yes"}, {"DataPDUInOrder", "Yes", "Yes"},
            {"DataSequenceInOrder", "No", "Yes"}, {"DataSequenceInOrder", "Yes", "Yes"},
            {"ErrorRecoveryLevel", "2", "0"}, {"ErrorRecoveryLevel", "0", "0"},
            {"TaskReporting", "FastAbort,RFC3720", "RFC3720"}, {"TaskReporting", "ResponseFence", "Reject"},
            {"iSCSIProtocolLevel", "2", "1"}, {"iSCSIProtocolLevel", "0", "0"},
            {"IFMarker", "Yes", "No"}, {"OFMarker", "No", "No"},
            {"IFMarkInt", "2048~8192", "Reject"}, {"OFMarkInt", "1", "Reject"},
        };
        for (String[] c : cases) {
            assertThat(answerTo(c[0], c[1])).as(c[0] + "=" + c[1]).isEqualTo(c[2]);
        }
    }

    @Test
    void outOfRangeAndMalformedNegotiatedValuesGetReject() {
        String[][] cases = {
            {"MaxBurstLength", "99999999"}, {"MaxBurstLength", "511"}, {"FirstBurstLength", "0x"},
            {"MaxConnections", "0"}, {"ErrorRecoveryLevel", "3"}, {"DefaultTime2Wait", "3601"},
            {"MaxOutstandingR2T", "65536"}, {"InitialR2T", "yes"}, {"ImmediateData", ""}, {"HeaderDigest", ""},
            {"DataDigest", "None,,CRC32C"}, {"iSCSIProtocolLevel", "32"}, {"IFMarker", "Perhaps"},
        };
        for (String[] c : cases) {
            assertThat(answerTo(c[0], c[1])).as(c[0] + "=" + c[1]).isEqualTo("Reject");
        }
        Negotiation n = new Negotiation(true, false);
        operational(n, "MaxBurstLength=1|InitialR2T=maybe|");
        SessionParams p = n.result();
        assertThat(p.maxBurstLength()).as("a rejected key keeps its default (6.2)").isEqualTo(262144);
        assertThat(p.initialR2T()).isTrue();
    }

    @Test
    void unknownAndTargetOnlyKeysAreNotUnderstood() {
        TextParameters a = operational(new Negotiation(true, false),
                "X-com.example.Fancy=1|X#Other=2|MaxBurstLength2=1|TargetAlias=me|TargetAddress=1.2.3.4|"
                        + "TargetPortalGroupTag=1|");
        assertThat(a.asMap()).containsEntry("X-com.example.Fancy", "NotUnderstood")
                .containsEntry("X#Other", "NotUnderstood").containsEntry("MaxBurstLength2", "NotUnderstood")
                .containsEntry("TargetAlias", "NotUnderstood").containsEntry("TargetAddress", "NotUnderstood")
                .containsEntry("TargetPortalGroupTag", "NotUnderstood");
        TextParameters s = new TextParameters();
        assertThat(new Negotiation(true, false).answer(keys("X-vendor=1|TargetAlias=x|"), Phase.SECURITY, s)).isNull();
        assertThat(s.get("X-vendor")).isEqualTo("NotUnderstood");
        assertThat(s.get("TargetAlias")).isEqualTo("NotUnderstood");
    }

    @Test
    void declarativeKeysAreNotAnsweredButTheTargetDeclaresItsOwnMaxRecvOnce() {
        Negotiation n = new Negotiation(true, false);
        TextParameters first = operational(n, "InitiatorName=iqn.a|TargetName=iqn.b|SessionType=Normal|"
                + "InitiatorAlias=host|X#NodeArchitecture=Linux|MaxRecvDataSegmentLength=65536|");
        assertThat(first.asMap()).containsOnlyKeys("MaxRecvDataSegmentLength");
        assertThat(first.get("MaxRecvDataSegmentLength")).isEqualTo(TARGET_MRDSL);
        assertThat(operational(n, "HeaderDigest=None|").asMap()).containsOnlyKeys("HeaderDigest");
        SessionParams p = n.result();
        assertThat(p.maxSendDataSegmentLength()).isEqualTo(65536);
        assertThat(p.maxRecvDataSegmentLength()).isEqualTo(NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT);
    }

    @Test
    void theSecurityStageAnswersNoOperationalKeysAndLeavesAuthToTheLogin() {
        Negotiation n = new Negotiation(true, false);
        TextParameters a = new TextParameters();
        assertThat(n.answer(keys("InitiatorName=iqn.a|TargetName=iqn.b|SessionType=Normal|AuthMethod=CHAP,None|"
                + "CHAP_A=5|"), Phase.SECURITY, a)).isNull();
        assertThat(a.isEmpty()).as("AuthMethod and CHAP_* are the Login's; no MaxRecvDataSegmentLength yet").isTrue();
        SessionParams p = n.result();
        assertThat(p.maxRecvDataSegmentLength()).as("not declared: the default holds").isEqualTo(8192);
        assertThat(p.maxSendDataSegmentLength()).isEqualTo(8192);
    }

    @Test
    void keysOutsideTheirStageFailTheLogin() {
        assertThat(failure(new Negotiation(true, false), Phase.SECURITY, "HeaderDigest=None|"))
                .contains("HeaderDigest").contains("security stage");
        assertThat(failure(new Negotiation(true, false), Phase.SECURITY, "MaxRecvDataSegmentLength=8192|"))
                .contains("MaxRecvDataSegmentLength");
        assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "AuthMethod=None|"))
                .contains("operational stage");
        assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "CHAP_A=5|")).contains("CHAP_A");
        assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "SendTargets=All|"))
                .contains("SendTargets");
        assertThat(failure(new Negotiation(true, false), Phase.SECURITY, "SendTargets=All|")).contains("SendTargets");
    }

    @Test
    void reservedConstantsAsValuesFailTheLogin() {
        for (String v : new String[] {"Reject", "Irrelevant", "NotUnderstood"}) {
            assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "MaxBurstLength=" + v + "|"))
                    .contains("reserved");
            assertThat(failure(new Negotiation(true, false), Phase.SECURITY, "InitiatorAlias=" + v + "|"))
                    .contains("reserved");
        }
    }

    @Test
    void invalidDeclarationsFailTheLogin() {
        assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "MaxRecvDataSegmentLength=100|"))
                .contains("invalid value");
        assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "MaxRecvDataSegmentLength=0x1000000|"))
                .contains("invalid value");
        assertThat(failure(new Negotiation(true, false), Phase.OPERATIONAL, "SessionType=Other|"))
                .contains("SessionType");
        assertThat(failure(new Negotiation(true, false), Phase.SECURITY, "InitiatorAlias=" + "a".repeat(300) + "|"))
                .contains("InitiatorAlias").hasSizeLessThan(150);
    }

    @Test
    void aKeySentAgainFailsTheLoginUnlessADeclarationIsRepeatedVerbatim() {
        Negotiation n = new Negotiation(true, false);
        assertThat(n.answer(keys("InitiatorName=iqn.a|TargetName=iqn.b|AuthMethod=None|"), Phase.SECURITY,
                new TextParameters())).isNull();
        // libiscsi repeats its names in the operational stage after the security stage.
        TextParameters a = operational(n, "InitiatorName=iqn.a|TargetName=iqn.b|HeaderDigest=None|");
        assertThat(a.asMap()).containsOnlyKeys("HeaderDigest", "MaxRecvDataSegmentLength");
        assertThat(failure(n, Phase.OPERATIONAL, "HeaderDigest=None|")).contains("HeaderDigest").contains("twice");

        Negotiation m = new Negotiation(true, false);
        operational(m, "InitiatorName=iqn.a|");
        assertThat(failure(m, Phase.OPERATIONAL, "InitiatorName=iqn.other|")).contains("twice");

        Negotiation k = new Negotiation(true, false);
        operational(k, "X-vendor=1|");
        assertThat(failure(k, Phase.OPERATIONAL, "X-vendor=1|")).as("renegotiation of any key").contains("twice");

        Negotiation j = new Negotiation(true, false);
        operational(j, "MaxRecvDataSegmentLength=4096|");
        assertThat(failure(j, Phase.OPERATIONAL, "MaxRecvDataSegmentLength=8192|")).contains("twice");
    }

    @Test
    void leadingOnlyKeysAreIrrelevantOnANonLeadingLogin() {
        Negotiation n = new Negotiation(false, false);
        TextParameters a = operational(n, "SessionType=Normal|MaxConnections=2|InitialR2T=No|ImmediateData=No|"
                + "MaxBurstLength=4096|FirstBurstLength=4096|MaxOutstandingR2T=4|DataPDUInOrder=No|"
                + "DataSequenceInOrder=No|ErrorRecoveryLevel=1|DefaultTime2Wait=5|DefaultTime2Retain=5|"
                + "HeaderDigest=CRC32C|MaxRecvDataSegmentLength=16384|");
        for (String k : NegotiationKeysTest.LEADING_ONLY) {
            if (a.contains(k)) {
                assertThat(a.get(k)).as(k).isEqualTo("Irrelevant");
            }
        }
        assertThat(a.asMap().values().stream().filter("Irrelevant"::equals)).hasSize(12);
        assertThat(a.get("HeaderDigest")).as("connection keys are negotiated").isEqualTo("CRC32C");
        SessionParams p = n.result();
        assertThat(p.headerDigest()).isTrue();
        assertThat(p.maxSendDataSegmentLength()).isEqualTo(16384);
        assertThat(p.maxBurstLength()).as("the session's value, not this connection's").isEqualTo(262144);
        assertThat(p.initialR2T()).isTrue();
    }

    @Test
    void discoverySessionsAnswerIrrelevantForDataTransferKeys() {
        Negotiation n = new Negotiation(true, true);
        TextParameters a = operational(n, "HeaderDigest=None|DataDigest=CRC32C|ErrorRecoveryLevel=0|"
                + "DefaultTime2Wait=2|DefaultTime2Retain=0|MaxConnections=1|InitialR2T=Yes|ImmediateData=Yes|"
                + "MaxBurstLength=262144|FirstBurstLength=65536|MaxOutstandingR2T=1|DataPDUInOrder=Yes|"
                + "DataSequenceInOrder=Yes|TaskReporting=RFC3720|iSCSIProtocolLevel=1|MaxRecvDataSegmentLength=32768|");
        for (String k : NegotiationKeysTest.IRRELEVANT_FOR_DISCOVERY) {
            assertThat(a.get(k)).as(k).isEqualTo("Irrelevant");
        }
        assertThat(a.get("HeaderDigest")).isEqualTo("None");
        assertThat(a.get("DataDigest")).isEqualTo("CRC32C");
        assertThat(a.get("ErrorRecoveryLevel")).isEqualTo("0");
        assertThat(a.get("DefaultTime2Wait")).isEqualTo("2");
        assertThat(a.get("DefaultTime2Retain")).isEqualTo("0");
        assertThat(a.get("MaxRecvDataSegmentLength")).isEqualTo(TARGET_MRDSL);
        assertThat(n.result().maxSendDataSegmentLength()).isEqualTo(32768);
        assertThat(n.result().dataDigest()).isTrue();
    }

    @Test
    void firstBurstLengthFollowsItsIntegrityRules() {
        Negotiation n = new Negotiation(true, false);
        TextParameters a = operational(n, "InitialR2T=Yes|ImmediateData=No|FirstBurstLength=8192|");
        assertThat(a.get("FirstBurstLength")).as("13.14: irrelevant without unsolicited data").isEqualTo("Irrelevant");
        assertThat(n.result().firstBurstLength()).isEqualTo(65536);

        Negotiation m = new Negotiation(true, false);
        TextParameters b = operational(m, "FirstBurstLength=1048576|MaxBurstLength=131072|InitialR2T=No|");
        assertThat(b.get("FirstBurstLength")).as("13.14: never above MaxBurstLength").isEqualTo("131072");
        assertThat(m.result().firstBurstLength()).isEqualTo(131072);
        assertThat(m.result().maxBurstLength()).isEqualTo(131072);

        Negotiation k = new Negotiation(true, false);
        operational(k, "MaxBurstLength=4096|");
        assertThat(k.result().firstBurstLength()).as("the default 65536 is cut too").isEqualTo(4096);
    }

    @Test
    void theResultCarriesEveryAgreedValue() {
        Negotiation n = new Negotiation(true, false);
        operational(n, "HeaderDigest=CRC32C,None|DataDigest=CRC32C|MaxRecvDataSegmentLength=65536|"
                + "MaxBurstLength=524288|FirstBurstLength=131072|ImmediateData=No|InitialR2T=No|"
                + "MaxOutstandingR2T=8|DataPDUInOrder=No|DataSequenceInOrder=No|DefaultTime2Wait=7|"
                + "DefaultTime2Retain=9|");
        assertThat(n.result()).isEqualTo(new SessionParams(true, true, NegotiationKeys.TARGET_MAX_RECV_DATA_SEGMENT,
                65536, 524288, 131072, false, false, 8, true, true, 7, 9)); // in-order data: the target's Yes wins the OR
    }

    @Test
    void sessionParamsTakeEachKeyAndIgnoreOthers() {
        SessionParams d = SessionParams.defaults(262144);
        assertThat(d.with("HeaderDigest", "CRC32C").headerDigest()).isTrue();
        assertThat(d.with("DataDigest", "CRC32C").dataDigest()).isTrue();
        assertThat(d.with("MaxRecvDataSegmentLength", "4096").maxSendDataSegmentLength()).isEqualTo(4096);
        assertThat(d.with("MaxRecvDataSegmentLength", "4096").maxRecvDataSegmentLength()).isEqualTo(262144);
        assertThat(d.with("MaxBurstLength", "0x1000").maxBurstLength()).isEqualTo(4096);
        assertThat(d.with("ImmediateData", "No").immediateData()).isFalse();
        assertThat(d.with("InitialR2T", "No").initialR2T()).isFalse();
        assertThat(d.with("DataPDUInOrder", "No").dataPduInOrder()).isFalse();
        assertThat(d.with("DataSequenceInOrder", "No").dataSequenceInOrder()).isFalse();
        assertThat(d.with("MaxOutstandingR2T", "3").maxOutstandingR2T()).isEqualTo(3);
        assertThat(d.with("DefaultTime2Wait", "3").defaultTime2Wait()).isEqualTo(3);
        assertThat(d.with("DefaultTime2Retain", "3").defaultTime2Retain()).isEqualTo(3);
        assertThat(d.with("FirstBurstLength", "512").firstBurstLength()).isEqualTo(512);
        assertThat(d.with("InitiatorAlias", "x")).isSameAs(d);
        assertThat(d.with("ErrorRecoveryLevel", "0")).isSameAs(d);
    }

    @Test
    void textParametersFlagMalformedAndDuplicateKeys() {
        TextParameters t = keys("A=1|=x|noequals|A=2|B=|");
        assertThat(t.get("A")).isEqualTo("1");
        assertThat(t.get("B")).isEmpty();
        assertThat(t.isMalformed()).isTrue();
        assertThat(t.duplicates()).containsExactly("A");
        assertThat(new String(new TextParameters().put("K", "v").put("L", "w").encode(), StandardCharsets.UTF_8))
                .isEqualTo("K=v\0L=w\0");
    }
}
