package io.xtarget.scsi.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.copy.ParameterList.BlockToBlock;
import io.xtarget.scsi.copy.ParameterList.BlockToBlockBytes;
import io.xtarget.scsi.copy.ParameterList.IdentificationCscd;
import io.xtarget.scsi.copy.ParameterList.VerifyCscd;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParameterListParserTest {
    private static final byte[] NAA = HexFormat.of().parseHex("6001405abcdef0123456789abcdef012");

    private static ParameterList parse(byte[] b) throws ScsiException {
        return ParameterListParser.parse(ByteBuffer.wrap(b), CopyLimits.DEFAULT);
    }

    private static Sense senseOf(byte[] b) {
        try {
            parse(b);
        } catch (ScsiException e) {
            return e.sense();
        }
        throw new AssertionError("parsed without error");
    }

    private static CopyFixture.Params oneCopy() {
        return new CopyFixture.Params().cscd(NAA, 16, 512).b2b(0, 0, 2048, 0, 1000);
    }

    @Test
    void parsesLibiscsiStyleListFromFixedBytes() throws Exception {
        byte[] b = HexFormat.of().parseHex(
                "01100020" + "00000000" + "0000001c" + "00000000" // list 1, usage 10b, CSCD 32, segments 28
                + "e4000000" + "01030010" + "6001405abcdef0123456789abcdef012" + "00000000" + "00000200" // E4, NAA 6, block 512
                + "020000180000000000000800" + "0000000000000000" + "00000000000007f8"); // b2b 2048 blocks 0 -> 2040
        ParameterList p = parse(b);
        assertThat(p.header().listId()).isEqualTo(1);
        assertThat(p.header().listIdUsage()).isEqualTo(ParameterList.USAGE_NO_HOLD);
        assertThat(p.cscds()).hasSize(1);
        IdentificationCscd c = p.cscds().get(0);
        assertThat(c.designatorType()).isEqualTo(3);
        assertThat(c.designator()).isEqualTo(NAA);
        assertThat(c.diskBlockLength()).isEqualTo(512);
        assertThat(p.segments()).containsExactly(new BlockToBlock(0, 48, false, false, 0, 0, 2048, 0, 2040));
    }

    @Test
    void parsesByteOffsetAndVerifySegments() throws Exception {
        byte[] verify = new byte[12];
        verify[0] = 0x07;
        verify[3] = 0x08;
        verify[5] = 0x00;
        verify[8] = 0x01;
        byte[] b = new CopyFixture.Params().cscd(NAA, 16, 0).bytes(0, 0, 1000, 3, 17, 9, 5).segment(verify).build();
        ParameterList p = parse(b);
        assertThat(p.segments().get(0)).isEqualTo(new BlockToBlockBytes(0, 48, false, 0, 0, 1000, 3, 9, 17, 5));
        assertThat(p.segments().get(1)).isEqualTo(new VerifyCscd(1, 80, 0, true));
    }

    @Test
    void truncatedCscdIsParameterListLengthError() {
        byte[] full = oneCopy().build();
        // libiscsi ExtendedCopy.ParamHdr: parameter list cut inside the CSCD, then inside the segment
        assertSense(senseOf(Arrays.copyOf(full, 16 + 32 - 1)), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
        assertSense(senseOf(Arrays.copyOf(full, full.length - 1)), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
        assertSense(senseOf(new byte[15]), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
    }

    @Test
    void descriptorListsLongerThanTheMaximumAreParameterListLengthError() {
        byte[] b = new byte[16];
        b[8] = 0x00;
        b[9] = 0x01; // segment list length 64 KiB > 16 KiB
        assertSense(senseOf(b), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
    }

    @Test
    void reservedListIdUsageIsInvalidFieldWithPointer() {
        byte[] b = oneCopy().listId(1, 0b01).build();
        Sense s = senseOf(b);
        assertSense(s, SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        assertThat(s.senseKeySpecific()).isEqualTo(0x800000 | 0x080000 | (4 << 16) | 1); // byte 1, bit 4
    }

    @Test
    void noListIdUsageRequiresZeroListId() throws Exception {
        assertSense(senseOf(oneCopy().listId(7, 0b11).build()), SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        assertThat(parse(oneCopy().listId(0, 0b11).build()).header().identified()).isFalse();
    }

    @Test
    void inlineDataIsRejected() {
        byte[] b = oneCopy().build();
        byte[] withInline = Arrays.copyOf(b, b.length + 4);
        withInline[15] = 4;
        Sense s = senseOf(withInline);
        assertSense(s, SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        assertThat(s.senseKeySpecific() & 0xFFFF).isEqualTo(12);
    }

    @Test
    void tooManyCscds() {
        CopyFixture.Params p = new CopyFixture.Params();
        for (int i = 0; i < CopyLimits.DEFAULT.maxCscdCount() + 1; i++) {
            p.cscd(NAA, 16, 512);
        }
        p.b2b(0, 0, 1, 0, 1);
        assertSense(senseOf(p.build()), SenseKey.ILLEGAL_REQUEST, 0x26, 0x06);
    }

    @Test
    void maximumCscdsAndSegmentsAreAccepted() throws Exception {
        CopyFixture.Params p = new CopyFixture.Params();
        for (int i = 0; i < CopyLimits.DEFAULT.maxCscdCount(); i++) {
            p.cscd(NAA, 16, 512);
        }
        for (int i = 0; i < CopyLimits.DEFAULT.maxSegmentCount(); i++) {
            p.b2b(0, 0, 1, 0, 1);
        }
        ParameterList l = parse(p.build());
        assertThat(l.cscds()).hasSize(64);
        assertThat(l.segments()).hasSize(256);
    }

    @Test
    void tooManySegments() {
        CopyFixture.Params p = new CopyFixture.Params().cscd(NAA, 16, 512);
        for (int i = 0; i < CopyLimits.DEFAULT.maxSegmentCount() + 1; i++) {
            p.b2b(0, 0, 1, 0, 1);
        }
        assertSense(senseOf(p.build()), SenseKey.ILLEGAL_REQUEST, 0x26, 0x08);
    }

    @Test
    void unsupportedCscdType() {
        byte[] fc = new byte[32];
        fc[0] = (byte) 0xE0; // Fibre Channel N_Port_Name, as libiscsi ExtendedCopy.DescrType sends
        Sense s = senseOf(new CopyFixture.Params().raw(fc).b2b(0, 0, 1, 0, 1).build());
        assertSense(s, SenseKey.ILLEGAL_REQUEST, 0x26, 0x07);
        assertThat(s.senseKeySpecific()).isEqualTo(0x800000 | 16);
        byte[] unknown = new byte[32];
        unknown[0] = 0x10;
        assertSense(senseOf(new CopyFixture.Params().raw(unknown).build()), SenseKey.ILLEGAL_REQUEST, 0x26, 0x07);
    }

    @Test
    void unsupportedSegmentType() {
        byte[] stream = new byte[20];
        stream[0] = 0x03; // stream to stream
        stream[3] = 0x10;
        Sense s = senseOf(new CopyFixture.Params().cscd(NAA, 16, 512).segment(stream).build());
        assertSense(s, SenseKey.ILLEGAL_REQUEST, 0x26, 0x09);
        assertThat(s.senseKeySpecific()).isEqualTo(0x800000 | 48);
    }

    @Test
    void wrongSegmentDescriptorLengthIsInvalidField() {
        byte[] b = oneCopy().build();
        b[48 + 3] = 0x14; // DESCRIPTOR LENGTH of the b2b segment
        Sense s = senseOf(b);
        assertSense(s, SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        assertThat(s.senseKeySpecific() & 0xFFFF).isEqualTo(50);
    }

    @Test
    void cscdListEndingInsideADescriptorIsInvalidField() {
        byte[] b = oneCopy().build();
        b[3] = 40; // CSCD list length 40: the segment list then starts mid-descriptor
        Sense s = senseOf(Arrays.copyOf(b, b.length + 8));
        assertThat(s.key()).isEqualTo(SenseKey.ILLEGAL_REQUEST);
    }

    @Test
    void designatorLongerThanTwentyBytesIsInvalidField() {
        Sense s = senseOf(new CopyFixture.Params().cscd(NAA, 21, 512).b2b(0, 0, 1, 0, 1).build());
        assertSense(s, SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        assertThat(s.senseKeySpecific() & 0xFFFF).isEqualTo(16 + 7);
    }

    @Test
    void nonDiskPeripheralTypeIsInvalidField() {
        byte[] b = oneCopy().build();
        b[17] = 0x01; // tape
        assertSense(senseOf(b), SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
    }

    @Test
    void luIdTypeAndNulAreIgnoredAsSpc4Says() throws Exception {
        byte[] b = oneCopy().build();
        b[17] = (byte) 0xA0; // LU ID TYPE 10b (reserved in SPC-3) and NUL
        assertThat(parse(b).cscds()).hasSize(1);
    }

    @Test
    void randomAndMutatedListsNeverThrowUnchecked() {
        Random r = new Random(42);
        byte[] good = new CopyFixture.Params().cscd(NAA, 16, 512).cscd(NAA, 20, 4096).b2b(0, 1, 8, 0, 1)
                .bytes(1, 0, 4096, 1, 2, 3, 4).build();
        for (int i = 0; i < 20000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[r.nextInt(200)];
                r.nextBytes(b);
            } else {
                b = Arrays.copyOf(good, r.nextInt(good.length + 8));
                for (int k = 0, n = 1 + r.nextInt(4); k < n && b.length > 0; k++) {
                    b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                }
            }
            try {
                parse(b);
            } catch (ScsiException e) {
                assertThat(e.sense()).isNotNull();
            }
        }
    }

    static void assertSense(Sense s, int key, int asc, int ascq) {
        assertThat(s).isNotNull();
        assertThat(new int[] {s.key(), s.asc(), s.ascq()}).as(s.toString()).containsExactly(key, asc, ascq);
    }
}
