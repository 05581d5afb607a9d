package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static io.xtarget.scsi.spc.CoreFixture.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.UnitAttentions;
import org.junit.jupiter.api.Test;

class ModeTest {
    private final CoreFixture f = new CoreFixture();

    private static final String CACHING = "0812" + "04" + "00".repeat(17);
    private static final String CONTROL = "0a0a20" + "00".repeat(5) + "ffff0000"; // TST 001b
    private static final String IEC = "1c0a08" + "00".repeat(9);

    @Test
    void modeSense6AllPagesWithBlockDescriptor() {
        ScsiResult r = f.run(f.a, 0x1A, 0, 0x3F, 0, 255, 0);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(r))).isEqualTo("37001008" + "0000080000000200" + CACHING + CONTROL + IEC);
    }

    @Test
    void modeSense10LongBlockDescriptorOnReadOnlyMapping() {
        ScsiResult r = f.run(f.a, 1, new int[] {0x5A, 0x10, 0x0A, 0, 0, 0, 0, 0, 255, 0}, null);
        assertThat(hex(data(r))).isEqualTo("0022009001000010" + "0000000000000800" + "0000000000000200" + CONTROL);
    }

    @Test
    void modeSenseCutsToAllocationLength() {
        assertThat(hex(data(f.run(f.a, 0x1A, 0x08, 0x3F, 0, 4, 0)))).isEqualTo("2f001000");
    }

    @Test
    void changeableAndDefaultValues() {
        assertThat(hex(data(f.run(f.a, 0x1A, 0x08, 0x40 | 0x0A, 0, 255, 0))))
                .isEqualTo("0f001000" + "0a0a04000840000000000000");
        assertThat(hex(data(f.run(f.a, 0x1A, 0x08, 0x80 | 0x1C, 0, 255, 0)))).isEqualTo("0f001000" + IEC);
    }

    @Test
    void savedValuesAreNotSupported() {
        ScsiResult r = f.run(f.a, 0x1A, 0, 0xC0 | 0x08, 0, 255, 0);
        assertThat(r.sense().key()).isEqualTo(SenseKey.ILLEGAL_REQUEST);
        assertThat(r.sense().asc()).isEqualTo(0x39);
    }

    @Test
    void unknownPageOrSubpageIsInvalidField() {
        assertThat(f.run(f.a, 0x1A, 0, 0x19, 0, 255, 0).sense().asc()).isEqualTo(0x24);
        assertThat(f.run(f.a, 0x1A, 0, 0x0A, 0x01, 255, 0).sense().asc()).isEqualTo(0x24);
        assertThat(f.run(f.a, 0x1A, 0x08, 0x0A, 0xFF, 255, 0).status()).isEqualTo(ScsiStatus.GOOD);
    }

    private ScsiResult select6(String params, int flags) {
        byte[] p = hex(params);
        return f.run(f.a, 0, new int[] {0x15, flags, 0, 0, p.length, 0}, p);
    }

    @Test
    void modeSelectSetsSwpAndWriteProtects() {
        assertThat(select6("00000000" + "0a0a200008000000ffff0000", 0x10).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.lu.mode().softwareWriteProtect).isTrue();
        assertThat(data(f.run(f.a, 0x1A, 0x08, 0x0A, 0, 255, 0))[2]).isEqualTo((byte) 0x90);
        ScsiResult w = f.run(f.a, 0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        assertThat(w.sense().key()).isEqualTo(SenseKey.DATA_PROTECT);
        assertThat(w.sense().asc()).isEqualTo(0x27);
    }

    @Test
    void modeSelectEstablishesModeParametersChangedForOtherInitiators() {
        f.run(f.b, 0, 0, 0, 0, 0, 0); // B becomes a known initiator port
        assertThat(select6("00000000" + "0812" + "00".repeat(18), 0x10).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.lu.mode().writeCacheEnabled).isFalse();
        assertThat(f.run(f.b, 0, 0, 0, 0, 0, 0).sense()).isEqualTo(UnitAttentions.MODE_PARAMETERS_CHANGED);
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void modeSelectRejectsChangesToFixedBitsWithFieldPointer() {
        // QERR (byte 3 of the control page) is not changeable.
        ScsiResult r = select6("00000000" + "0a0a200200000000ffff0000", 0x10);
        assertThat(r.sense().asc()).isEqualTo(0x26);
        assertThat(r.sense().senseKeySpecific()).isEqualTo(0x800000 | 0x080000 | (1 << 16) | 7);
        assertThat(f.lu.mode().queueErrorManagement).isZero();
    }

    @Test
    void modeSelectIsAllOrNothing() {
        ScsiResult r = select6("00000000" + "0a0a240000000000ffff0000" + "1c0a0800ff00000000000000", 0x10);
        assertThat(r.sense().asc()).isEqualTo(0x26);
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(f.lu.mode().descriptorSense).isFalse();
    }

    @Test
    void modeSelectWithSpIsInvalidFieldInCdb() {
        ScsiResult r = select6("00000000" + "0a0a200008000000ffff0000", 0x11);
        assertThat(r.sense().asc()).isEqualTo(0x24);
        assertThat(f.lu.mode().softwareWriteProtect).isFalse();
    }

    @Test
    void modeSelectWithWrongPageLengthOrTruncatedList() {
        assertThat(select6("00000000" + "0a0b0000000000000000000000", 0x10).sense().asc()).isEqualTo(0x26);
        assertThat(select6("00000000" + "0a0a000000", 0x10).sense().asc()).isEqualTo(0x1A);
        assertThat(select6("000000", 0x10).sense().asc()).isEqualTo(0x1A);
    }

    @Test
    void modeSelectAcceptsMatchingBlockDescriptorAndRejectsOtherBlockLength() {
        assertThat(select6("00000008" + "0000080000000200" + "0a0a240000000000ffff0000", 0x10).status())
                .isEqualTo(ScsiStatus.GOOD);
        assertThat(f.lu.mode().descriptorSense).isTrue();
        ScsiResult r = select6("00000008" + "0000080000001000", 0x10);
        assertThat(r.sense().asc()).isEqualTo(0x26);
    }

    @Test
    void dSenseSelectsDescriptorFormatSense() {
        select6("00000000" + "0a0a240000000000ffff0000", 0x10);
        ScsiResult r = f.run(f.a, 0x1A, 0, 0x19, 0, 255, 0);
        byte[] encoded = new io.xtarget.scsi.ScsiTask(f.core, f.a, f.lunMap, 0, io.xtarget.scsi.Cdb.of(0), null, 0)
                .encodeSense(r.sense());
        assertThat(encoded[0]).isEqualTo((byte) 0x72);
    }
}
