package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NegotiationTest {

    private static TextParameters keys(String s) {
        return TextParameters.parse(ByteBuffer.wrap(s.replace('|', '\0').getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void answersEachKeyWithItsResultFunction() {
        Negotiation n = new Negotiation();
        TextParameters answer = new TextParameters();
        n.answer(keys("HeaderDigest=CRC32C,None|DataDigest=None|MaxBurstLength=99999999|"
                + "FirstBurstLength=1048576|MaxBurstLength2=1|InitialR2T=No|ImmediateData=Yes|"
                + "MaxOutstandingR2T=64|ErrorRecoveryLevel=2|MaxConnections=4|DefaultTime2Wait=0|"
                + "MaxRecvDataSegmentLength=65536|IFMarker=Yes|X-vendor=1|"), answer);
        assertThat(answer.get("HeaderDigest")).isEqualTo("CRC32C");
        assertThat(answer.get("DataDigest")).isEqualTo("None");
        assertThat(answer.get("MaxBurstLength")).isEqualTo("Reject"); // out of range (> 2^24-1)
        assertThat(answer.get("FirstBurstLength")).isEqualTo("1048576");
        assertThat(answer.get("MaxBurstLength2")).isEqualTo("NotUnderstood");
        assertThat(answer.get("InitialR2T")).isEqualTo("No");
        assertThat(answer.get("ImmediateData")).isEqualTo("Yes");
        assertThat(answer.get("MaxOutstandingR2T")).isEqualTo(Integer.toString(Negotiation.TARGET_MAX_OUTSTANDING_R2T));
        assertThat(answer.get("ErrorRecoveryLevel")).isEqualTo("0");
        assertThat(answer.get("MaxConnections")).isEqualTo("1");
        assertThat(answer.get("DefaultTime2Wait")).isEqualTo("2");
        assertThat(answer.get("MaxRecvDataSegmentLength"))
                .isEqualTo(Integer.toString(Negotiation.TARGET_MAX_RECV_DATA_SEGMENT));
        assertThat(answer.get("IFMarker")).isEqualTo("No");
        assertThat(answer.get("X-vendor")).isEqualTo("NotUnderstood");
        SessionParams p = n.result();
        assertThat(p.headerDigest()).isTrue();
        assertThat(p.maxSendDataSegmentLength()).isEqualTo(65536);
        // FirstBurstLength never exceeds MaxBurstLength (default 262144 here, the offer was rejected)
        assertThat(p.firstBurstLength()).isEqualTo(262144);
        assertThat(p.initialR2T()).isFalse();
    }

    @Test
    void numbersAreParsedStrictly() {
        assertThat(Negotiation.parse("512", 512, 1000)).isEqualTo(512);
        assertThat(Negotiation.parse("511", 512, 1000)).isNull();
        assertThat(Negotiation.parse("-1", 0, 10)).isNull();
        assertThat(Negotiation.parse("0x10", 0, 100)).isNull();
        assertThat(Negotiation.parse("99999999999", 0, Integer.MAX_VALUE)).isNull();
        assertThat(Negotiation.parse("", 0, 1)).isNull();
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
