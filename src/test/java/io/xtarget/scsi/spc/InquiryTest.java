package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static io.xtarget.scsi.spc.CoreFixture.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InquiryTest {
    private final CoreFixture f = new CoreFixture();

    @Test
    void standardDataForAMappedLun() {
        ScsiResult r = f.run(f.a, 0x12, 0, 0, 0x01, 0x04, 0);
        byte[] d = data(r);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(d).hasSize(96);
        assertThat(hex(Arrays.copyOf(d, 8))).isEqualTo("000006125b100002");
        assertThat(new String(d, 8, 28, StandardCharsets.US_ASCII)).isEqualTo("XTARGET xtarget-disk    0001");
        assertThat(hex(Arrays.copyOfRange(d, 58, 74))).isEqualTo("00a00960046004c00000000000000000");
    }

    @Test
    void allocationLengthCutsTheDataWithoutError() {
        ScsiResult r = f.run(f.a, 0x12, 0, 0, 0, 5, 0);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(r))).isEqualTo("000006125b");
        assertThat(data(f.run(f.a, 0x12, 0, 0, 0, 0, 0))).isEmpty();
    }

    @Test
    void unmappedLunReportsQualifier3AndType1F() {
        ScsiResult r = f.run(f.a, 7, new int[] {0x12, 0, 0, 0, 96, 0}, null);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(data(r)[0]).isEqualTo((byte) 0x7F);
    }

    @Test
    void pageCodeWithoutEvpdIsInvalidField() {
        ScsiResult r = f.run(f.a, 0x12, 0, 0x80, 0, 96, 0);
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.sense().key()).isEqualTo(SenseKey.ILLEGAL_REQUEST);
        assertThat(r.sense().asc()).isEqualTo(0x24);
    }

    @Test
    void unknownVpdPageIsInvalidField() {
        ScsiResult r = f.run(f.a, 0x12, 1, 0xB0, 0, 255, 0);
        assertThat(r.sense().asc()).isEqualTo(0x24);
    }

    @Test
    void supportedPagesListsTheRegisteredPages() {
        assertThat(hex(data(f.run(f.a, 0x12, 1, 0x00, 0, 255, 0)))).isEqualTo("0000000400808386");
    }

    @Test
    void serialNumberPage() {
        assertThat(hex(data(f.run(f.a, 0x12, 1, 0x80, 0, 255, 0)))).isEqualTo("00800006" + hex("SN0001".getBytes()));
    }

    @Test
    void deviceIdentificationPage() {
        byte[] d = data(f.run(f.a, 0x12, 1, 0x83, 0, 255, 0));
        // T10 vendor ID: vendor, then the NAA's last 8 hex digits (what hosts compare), then the NAA
        String t10 = hex(("XTARGET " + "99aabbcc" + hex(CoreFixture.NAA)).getBytes());
        String portName = hex("iqn.2026-01.io.xtarget:t1,t,0x0001".getBytes()); // 34 bytes -> 36
        String targetName = hex("iqn.2026-01.io.xtarget:t1".getBytes()); // 25 bytes -> 28
        String expected = "0083" + String.format("%04x", d.length - 4)
                + "01030010" + hex(CoreFixture.NAA)
                + "02010030" + t10
                + "01020008" + "001405" + "8899aabbcc" // EUI-64: the NAA's company id, its last 5 bytes
                + "519400040000" + "0001"
                + "519500040000" + "0001"
                + "53980024" + portName + "0000"
                + "53a8001c" + targetName + "000000";
        assertThat(hex(d)).isEqualTo(expected);
        assertThat((d.length - 4)).isEqualTo(20 + 52 + 12 + 8 + 8 + 40 + 32);
    }

    @Test
    void extendedInquiryPage() {
        byte[] d = data(f.run(f.a, 0x12, 1, 0x86, 0, 255, 0));
        assertThat(d).hasSize(64);
        assertThat(hex(Arrays.copyOf(d, 8))).isEqualTo("0086003c00070100");
    }

    @Test
    void thirdPartyCopyBitFollowsTheOpcodeTable() {
        CoreFixture withCopy = new CoreFixture(t -> t.add(new CommandDescriptor(0x83, 0x00, "EXTENDED COPY",
                MediumAccess.WRITE, Set.of(), new byte[] {(byte) 0x83}, task -> ScsiResult.good())));
        assertThat(data(withCopy.run(withCopy.a, 0x12, 0, 0, 0, 96, 0))[5]).isEqualTo((byte) 0x18);
        assertThat(data(f.run(f.a, 0x12, 0, 0, 0, 96, 0))[5]).isEqualTo((byte) 0x10);
    }

    @Test
    void inquiryNeitherReportsNorClearsAUnitAttention() {
        f.lu.unitAttentions().establish(f.a, io.xtarget.scsi.UnitAttentions.CAPACITY_CHANGED);
        assertThat(f.run(f.a, 0x12, 0, 0, 0, 96, 0).status()).isEqualTo(ScsiStatus.GOOD);
        ScsiResult tur = f.run(f.a, 0, 0, 0, 0, 0, 0);
        assertThat(tur.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(tur.sense().asc()).isEqualTo(0x2A);
    }
}
