package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.TextParameters;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.NopIn;
import io.xtarget.iscsi.pdu.NopOut;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.Reject;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import io.xtarget.iscsi.pdu.TextRequest;
import io.xtarget.iscsi.pdu.TextResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Text Requests in full feature phase over a real login (RFC 7143 6.2, 11.10, 13.12): a declared
 * MaxRecvDataSegmentLength bounds the Data-In PDUs that follow, a login-only key is rejected and
 * changes nothing, malformed text gets a Reject PDU and the session goes on.
 */
@Timeout(60)
class TextNegotiationE2eTest extends StandardServerE2e {
    static final int READ_BYTES = 16384;


    private static RawSession login(String name, long isid) throws IOException {
        RawSession raw = RawSession.login(server.address(), E2eServer.TARGET, "iqn.2026-11.io.xtarget.test:" + name,
                isid);
        assertThat(raw.loggedIn()).as("%s", raw.login()).isTrue();
        raw.clearUnitAttentions();
        return raw;
    }

    /** Sends one Text Request (F=1) and returns the PDU that answers it. */
    private static Pdu text(RawSession raw, int itt, String body) throws IOException {
        raw.send(new TextRequest(false, true, false, 0, itt, -1, raw.takeCmdSn(), raw.expStatSn(),
                ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8))));
        return raw.read();
    }

    private static TextParameters keys(Pdu p) {
        assertThat(p).isInstanceOf(TextResponse.class);
        TextResponse r = (TextResponse) p;
        assertThat(r.fin()).isTrue();
        return TextParameters.parse(r.data());
    }

    /** READ(10) of 16 KiB from LUN 0; returns the Data-In PDUs (the last carries GOOD status). */
    private static List<DataIn> read16k(RawSession raw, int itt) throws IOException {
        byte[] cdb = Arrays.copyOf(Scsi.read10(0, READ_BYTES / 512), 16);
        raw.send(new ScsiCommandPdu(false, true, true, false, 1, 0, itt, READ_BYTES, raw.takeCmdSn(),
                raw.expStatSn(), cdb, null));
        List<DataIn> in = new ArrayList<>();
        while (true) {
            Pdu p = raw.read();
            if (p instanceof ScsiResponsePdu r) {
                assertThat(r.status()).isZero();
                return in;
            }
            assertThat(p).isInstanceOf(DataIn.class);
            DataIn d = (DataIn) p;
            in.add(d);
            if (d.statusPresent()) {
                assertThat(d.status()).isZero();
                return in;
            }
        }
    }

    @Test
    void declaredMaxRecvDataSegmentLengthBoundsTheDataInThatFollows() throws Exception {
        try (RawSession raw = login("mrdsl", 0x00023d0000b1L)) {
            List<DataIn> before = read16k(raw, 0x100);
            assertThat(before).as("login declared 65536").hasSize(1);
            TextParameters answer = keys(text(raw, 0x101, "MaxRecvDataSegmentLength=4096\0"));
            assertThat(answer.isEmpty()).as("declarative: no answer (RFC 7143 6.2)").isTrue();
            List<DataIn> after = read16k(raw, 0x102);
            assertThat(after).hasSizeGreaterThanOrEqualTo(READ_BYTES / 4096);
            int total = 0;
            for (DataIn d : after) {
                assertThat(d.data().remaining()).isLessThanOrEqualTo(4096);
                assertThat(d.bufferOffset()).isEqualTo(total);
                total += d.data().remaining();
            }
            assertThat(total).isEqualTo(READ_BYTES);
        }
    }

    @Test
    void aLoginOnlyKeyInFullFeaturePhaseIsRejectedAndChangesNothing() throws Exception {
        try (RawSession raw = login("login-only", 0x00023d0000b2L)) {
            TextParameters answer = keys(text(raw, 0x200, "HeaderDigest=CRC32C\0"));
            assertThat(answer.asMap()).containsExactly(java.util.Map.entry("HeaderDigest", "Reject"));
            // Still no digests: a command goes through on the same connection.
            assertThat(read16k(raw, 0x201)).hasSize(1);
            // A rejected key fails the whole negotiation (RFC 7143 7.11): the declaration beside it is void.
            answer = keys(text(raw, 0x202, "MaxRecvDataSegmentLength=4096\0MaxBurstLength=4096\0X-com.example.A=1\0"));
            assertThat(answer.get("MaxBurstLength")).isEqualTo("Reject");
            assertThat(answer.get("X-com.example.A")).isEqualTo("NotUnderstood");
            assertThat(answer.contains("MaxRecvDataSegmentLength")).isFalse();
            List<DataIn> in = read16k(raw, 0x203);
            assertThat(in).hasSize(1);
            assertThat(in.getFirst().data().remaining()).isEqualTo(READ_BYTES);
        }
    }

    @Test
    void malformedTextGetsARejectPduAndTheSessionGoesOn() throws Exception {
        try (RawSession raw = login("malformed", 0x00023d0000b3L)) {
            for (String body : new String[] {"MaxRecvDataSegmentLength=4096\0junk\0",
                "MaxRecvDataSegmentLength=4096\0MaxRecvDataSegmentLength=4096\0", "InitiatorAlias=Reject\0"}) {
                Pdu p = text(raw, 0x300, body);
                assertThat(p).as(body).isInstanceOf(Reject.class);
                assertThat(((Reject) p).reason()).isEqualTo(Reject.PROTOCOL_ERROR);
            }
            raw.send(new NopOut(true, 0, 0x301, -1, raw.currentCmdSn(), raw.expStatSn(), null));
            assertThat(raw.read()).isInstanceOf(NopIn.class);
            assertThat(read16k(raw, 0x302)).as("nothing was applied").hasSize(1);
        }
    }

    @Test
    void sendTargetsMixesWithOtherKeys() throws Exception {
        try (RawSession raw = login("mixed", 0x00023d0000b4L)) {
            Pdu p = text(raw, 0x400, "SendTargets=\0X-com.example.B=2\0MaxRecvDataSegmentLength=8192\0");
            assertThat(p).isInstanceOf(TextResponse.class);
            String body = StandardCharsets.UTF_8.decode(((TextResponse) p).data()).toString();
            assertThat(body).startsWith("TargetName=" + E2eServer.TARGET + "\0TargetAddress=")
                    .endsWith("\0X-com.example.B=NotUnderstood\0").doesNotContain("MaxRecvDataSegmentLength");
            List<DataIn> in = read16k(raw, 0x401);
            assertThat(in).hasSize(2);
            assertThat(in).allSatisfy(d -> assertThat(d.data().remaining()).isEqualTo(8192));
        }
    }
}
