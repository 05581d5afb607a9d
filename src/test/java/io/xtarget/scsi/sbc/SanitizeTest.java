package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.filled;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.Sense;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SANITIZE (SBC-4 5.30) through the core without a fabric, IMMED=0 (the command waits for the
 * operation): what OVERWRITE and BLOCK ERASE leave on the medium, and every field the command
 * and the OVERWRITE parameter list are checked for, with the sense and its field pointer.
 */
class SanitizeTest {
    static final int OVERWRITE = 0x01;
    static final int BLOCK_ERASE = 0x02;
    static final int CRYPTOGRAPHIC_ERASE = 0x03;
    static final int EXIT_FAILURE_MODE = 0x1F;

    final SbcRig rig = new SbcRig(512, 64);

    /** A SANITIZE CDB: byte 1 = IMMED (bit 7), AUSE (bit 5), SERVICE ACTION; PARAMETER LIST LENGTH. */
    static int[] sanitize(int byte1, int length) {
        return new int[] {0x48, byte1, 0, 0, 0, 0, 0, length >>> 8, length & 0xFF, 0};
    }

    /** An OVERWRITE parameter list: byte 0, byte 1 (reserved), the pattern length and the pattern. */
    static byte[] list(int byte0, int byte1, int patternLength, byte[] pattern) {
        byte[] l = new byte[4 + pattern.length];
        l[0] = (byte) byte0;
        l[1] = (byte) byte1;
        l[2] = (byte) (patternLength >>> 8);
        l[3] = (byte) patternLength;
        System.arraycopy(pattern, 0, l, 4, pattern.length);
        return l;
    }

    static byte[] list(int passes, byte[] pattern) {
        return list(passes, 0, pattern.length, pattern);
    }

    byte[] medium() {
        return rig.heap.bytes();
    }

    @Test
    void overwriteWithAFullBlockPatternWritesEveryBlock() {
        rig.fill(0, 64, 'a');
        byte[] pattern = filled(512, 0xAA);
        assertGood(rig.run(list(1, pattern), sanitize(OVERWRITE, 516)));
        assertThat(medium()).containsOnly((byte) 0xAA);
        assertThat(rig.store.flushes).as("the overwrite is flushed to the medium").isPositive();
        assertThat(rig.lu.sanitize().phase()).isEqualTo(io.xtarget.scsi.SanitizeState.Phase.IDLE);
    }

    @Test
    void aShortPatternRepeatsFromTheStartOfEveryBlock() {
        byte[] pattern = {1, 2, 3, 4, 5, 6, 7}; // 512 is not a multiple of 7: each block restarts it
        assertGood(rig.run(list(1, pattern), sanitize(OVERWRITE, 4 + pattern.length)));
        byte[] block = new byte[512];
        for (int i = 0; i < 512; i++) {
            block[i] = pattern[i % 7];
        }
        for (int lba = 0; lba < 64; lba++) {
            assertThat(Arrays.copyOfRange(medium(), lba * 512, lba * 512 + 512)).as("LBA %d", lba).isEqualTo(block);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void invertedPassesEndWithThePatternAsGiven(int passes) {
        byte[] pattern = {0x0F, (byte) 0xF0, 0x55, 0x00};
        assertGood(rig.run(list(0x80 | passes, pattern), sanitize(OVERWRITE, 8)));
        assertThat(Arrays.copyOf(medium(), 4)).isEqualTo(pattern);
        assertThat(rig.store.fuas).hasSize(passes); // one 32 KiB chunk per pass
    }

    @Test
    void invertAlternatesSoThatAnEvenCountStartsInverted() {
        OverwriteParameters p = new OverwriteParameters(true, 2, new byte[] {0x0F});
        assertThat(p.patternOfPass(0)).containsExactly((byte) 0xF0);
        assertThat(p.patternOfPass(1)).containsExactly((byte) 0x0F);
        OverwriteParameters odd = new OverwriteParameters(true, 3, new byte[] {0x0F});
        assertThat(odd.patternOfPass(0)).containsExactly((byte) 0x0F);
        assertThat(odd.patternOfPass(1)).containsExactly((byte) 0xF0);
        OverwriteParameters plain = new OverwriteParameters(false, 2, new byte[] {0x0F});
        assertThat(plain.patternOfPass(0)).containsExactly((byte) 0x0F);
    }

    @Test
    void blockEraseDeallocatesEveryBlock() {
        rig.fill(0, 64, 'a');
        assertGood(rig.run(sanitize(BLOCK_ERASE, 0)));
        assertThat(medium()).containsOnly((byte) 0);
        assertThat(rig.store.unmaps).hasSize(1);
        assertThat(rig.store.unmaps.get(0)).containsExactly(0, 64 * 512);
        assertThat(rig.store.flushes).isPositive();
    }

    @Test
    void immedReturnsBeforeTheOperationEnds() throws Exception {
        assertGood(rig.run(list(1, filled(512, 0x11)), sanitize(0x80 | OVERWRITE, 516)));
        awaitIdle(rig);
        assertThat(medium()).containsOnly((byte) 0x11);
    }

    static void awaitIdle(SbcRig rig) throws InterruptedException {
        for (int i = 0; i < 500 && rig.lu.sanitize().phase() != io.xtarget.scsi.SanitizeState.Phase.IDLE; i++) {
            Thread.sleep(10);
        }
        assertThat(rig.lu.sanitize().phase()).isEqualTo(io.xtarget.scsi.SanitizeState.Phase.IDLE);
    }

    // ---- the CDB ----

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 517})
    void overwriteParameterListLengthOutsideFiveToBlockPlusFourIsInvalidInTheCdb(int length) {
        assertSense(rig.run(new byte[600], sanitize(OVERWRITE, length)), Sense.invalidFieldInCdb(7, -1));
        assertThat(rig.store.fuas).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {BLOCK_ERASE, EXIT_FAILURE_MODE})
    void serviceActionsWithoutAParameterListRefuseALength(int sa) {
        assertSense(rig.run(new byte[8], sanitize(sa, 8)), Sense.invalidFieldInCdb(7, -1));
        assertThat(rig.store.unmaps).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, CRYPTOGRAPHIC_ERASE, 0x04, 0x10, 0x1E})
    void unsupportedServiceActionsAreInvalidInTheCdb(int sa) {
        assertSense(rig.run(sanitize(sa, 0)), Sense.invalidFieldInCdb(1, 4));
        assertThat(rig.core.opcodes().get(0x48, sa)).as("no row, so REPORT SUPPORTED OPERATION CODES says unsupported")
                .isNull();
    }

    @Test
    void reservedCdbFieldsAreInvalid() {
        byte[] l = list(1, filled(512, 1));
        assertSense(rig.run(l, sanitize(0x40 | OVERWRITE, 516)), Sense.invalidFieldInCdb(1, 6));
        for (int i = 2; i <= 6; i++) {
            int[] cdb = sanitize(OVERWRITE, 516);
            cdb[i] = i;
            // the core's CDB check (CdbUsage) points at the byte and its highest reserved bit set
            assertSense(rig.run(l, cdb), Sense.invalidFieldInCdb(i, 31 - Integer.numberOfLeadingZeros(i)));
        }
        assertThat(rig.store.fuas).isEmpty();
    }

    @Test
    void rowsAreWritesOnWorkersWithTheirCdbUsage() {
        for (int sa : new int[] {OVERWRITE, BLOCK_ERASE, EXIT_FAILURE_MODE}) {
            CommandDescriptor d = rig.core.opcodes().get(0x48, sa);
            assertThat(d.access()).as(d.name()).isEqualTo(io.xtarget.scsi.MediumAccess.WRITE);
            assertThat(d.has(CommandDescriptor.Flag.QUICK)).isFalse();
            // byte 1: IMMED, AUSE and the service action code itself (SPC-4 6.35.3)
            assertThat(d.cdbUsage()).containsExactly(0x48, 0xA0 | sa, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0);
        }
        assertThat(rig.core.opcodes().get(0x48, OVERWRITE).name()).isEqualTo("SANITIZE / OVERWRITE");
    }

    // ---- the OVERWRITE parameter list ----

    @Test
    void overwriteCountZeroIsInvalidInTheParameterList() {
        assertSense(rig.run(list(0, filled(512, 1)), sanitize(OVERWRITE, 516)), Sense.invalidFieldInParameterList(0, 4));
    }

    @Test
    void testFieldOtherThanZeroIsInvalidInTheParameterList() {
        assertSense(rig.run(list(0x20 | 1, filled(4, 1)), sanitize(OVERWRITE, 8)), Sense.invalidFieldInParameterList(0, 6));
        assertSense(rig.run(list(0x40 | 1, filled(4, 1)), sanitize(OVERWRITE, 8)), Sense.invalidFieldInParameterList(0, 6));
    }

    @Test
    void reservedByteOfTheListIsInvalid() {
        assertSense(rig.run(list(1, 7, 4, filled(4, 1)), sanitize(OVERWRITE, 8)), Sense.invalidFieldInParameterList(1, -1));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 513, 516})
    void patternLengthZeroOrAboveTheBlockLengthIsInvalidInTheParameterList(int patternLength) {
        assertSense(rig.run(list(1, 0, patternLength, filled(512, 1)), sanitize(OVERWRITE, 516)),
                Sense.invalidFieldInParameterList(2, -1));
    }

    @Test
    void patternLengthThatDisagreesWithTheListLengthIsALengthError() {
        assertSense(rig.run(list(1, 0, 8, filled(4, 1)), sanitize(OVERWRITE, 8)), Sense.parameterListLengthError());
        assertSense(rig.run(list(1, 0, 2, filled(4, 1)), sanitize(OVERWRITE, 8)), Sense.parameterListLengthError());
    }

    @Test
    void fewerBytesThanTheListLengthIsALengthError() {
        assertSense(rig.run(list(1, filled(4, 1)), sanitize(OVERWRITE, 516)), Sense.parameterListLengthError());
        assertThat(rig.store.fuas).isEmpty();
    }

    // ---- READ DEFECT DATA ----

    @Test
    void readDefectData10ReturnsAnEmptyListInTheRequestedFormat() {
        var r = rig.run(0x37, 0, 0x18 | 0x05, 0, 0, 0, 0, 0, 32, 0); // PLIST, GLIST, physical sector format
        assertGood(r);
        assertThat(SbcRig.data(r)).containsExactly(0, 0x1D, 0, 0);
        assertThat(SbcRig.data(rig.run(0x37, 0, 0x08, 0, 0, 0, 0, 0, 2, 0))).containsExactly(0, 0x08);
        assertThat(SbcRig.data(rig.run(0x37, 0, 0, 0, 0, 0, 0, 0, 4, 0))).containsExactly(0, 0, 0, 0);
    }

    @Test
    void readDefectData12ReturnsAnEightByteHeader() {
        var r = rig.run(0xB7, 0x10 | 0x03, 0, 0, 0, 9, 0, 0, 1, 0, 0, 0); // PLIST, long block, index 9
        assertGood(r);
        assertThat(SbcRig.data(r)).containsExactly(0, 0x13, 0, 0, 0, 0, 0, 0);
        assertThat(SbcRig.data(rig.run(0xB7, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0))).hasSize(5);
    }

    @Test
    void readDefectDataRefusesTheReservedFormatAndReservedFields() {
        assertSense(rig.run(0x37, 0, 0x07, 0, 0, 0, 0, 0, 32, 0), Sense.invalidFieldInCdb(2, 2));
        assertSense(rig.run(0x37, 0, 0x20, 0, 0, 0, 0, 0, 32, 0), Sense.invalidFieldInCdb(2, 5)); // reserved bits: the core's check
        assertSense(rig.run(0x37, 1, 0, 0, 0, 0, 0, 0, 32, 0), Sense.invalidFieldInCdb(1, 0));
        assertSense(rig.run(0x37, 0, 0, 0, 0, 0, 4, 0, 32, 0), Sense.invalidFieldInCdb(6, 2));
        assertSense(rig.run(0xB7, 0x07, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), Sense.invalidFieldInCdb(1, 2));
        assertSense(rig.run(0xB7, 0, 0, 0, 0, 0, 0, 0, 0, 32, 1, 0), Sense.invalidFieldInCdb(10, 0));
    }
}
