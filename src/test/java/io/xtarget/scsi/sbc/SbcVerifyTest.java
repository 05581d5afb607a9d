package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.Sense;
import io.xtarget.testing.Bytes;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SbcVerifyTest {

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void verifyWithByteCheckMatchesAndReportsTheFirstMiscomparedByte(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(4, 3, 0x41);
        assertGood(rig.run(filled(3 * bs, 0x41), cdb10(0x2F, 0x02, 4, 3)));

        byte[] wrong = filled(3 * bs, 0x41);
        wrong[bs + 17] = 0;
        wrong[2 * bs] = 0;
        ScsiResult r = rig.run(wrong, cdb10(0x2F, 0x02, 4, 3));
        assertSense(r, Sense.miscompare().withInformation(bs + 17));
        byte[] fixed = r.sense().fixed();
        assertThat(fixed[0] & 0xFF).isEqualTo(0xF0); // VALID: INFORMATION is meaningful
        assertThat(Arrays.copyOfRange(fixed, 3, 7)).containsExactly(0, 0, (bs + 17) >>> 8, (bs + 17) & 0xFF);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void verify12And16DecodeTheirFields(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(60, 4, 0x33);
        assertGood(rig.run(filled(4 * bs, 0x33), cdb12(0xAF, 0x02, 60, 4)));
        assertGood(rig.run(filled(4 * bs, 0x33), cdb16(0x8F, 0x02, 60, 4)));
        assertSense(rig.run(filled(4 * bs, 0x34), cdb16(0x8F, 0x02, 60, 4)), Sense.miscompare().withInformation(0));
        assertSense(rig.run(filled(4 * bs, 0x33), cdb16(0x8F, 0x02, 61, 4)), Sense.lbaOutOfRange());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void verifyWithoutByteCheckReadsTheMediumAndIgnoresDataOut(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertGood(rig.run(filled(bs, 0x77), cdb10(0x2F, 0x10, 0, 1))); // DPO, BYTCHK 0: no compare
        rig.heap.failFrom(20L * bs);
        assertSense(rig.run(cdb10(0x2F, 0, 19, 2)), Sense.unrecoveredReadError());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void verifyByteCheck11ComparesOneBlockWithEveryBlock(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(8, 5, 0x19);
        assertGood(rig.run(filled(bs, 0x19), cdb10(0x2F, 0x06, 8, 5)));
        rig.heap.bytes()[11 * bs + 3] = 0;
        assertSense(rig.run(filled(bs, 0x19), cdb10(0x2F, 0x06, 8, 5)), Sense.miscompare().withInformation(3L * bs + 3));
    }

    @Test
    void verifyReservedByteCheckAndProtectionAreInvalidFields() {
        SbcRig rig = new SbcRig(512, 64);
        assertSense(rig.run(filled(512, 0), cdb10(0x2F, 0x04, 0, 1)), Sense.invalidFieldInCdb(1, 2));
        assertSense(rig.run(filled(512, 0), cdb10(0x2F, 0x20, 0, 1)), Sense.invalidFieldInCdb(1, 7));
        assertGood(rig.run(cdb10(0x2F, 0x02, 64, 0))); // zero length: nothing to verify
        assertSense(rig.run(cdb10(0x2F, 0x02, 65, 0)), Sense.lbaOutOfRange());
    }

    @Test
    void verifyWithByteCheckNeedsTheWholeDataOut() {
        SbcRig rig = new SbcRig(512, 64);
        assertSense(rig.run(filled(512, 0), cdb10(0x2F, 0x02, 0, 2)), Sense.parameterListLengthError());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void writeAndVerifyWritesDurablyAndReadsBack(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertGood(rig.run(filled(2 * bs, 0x61), cdb10(0x2E, 0x02, 3, 2)));
        assertGood(rig.run(filled(bs, 0x62), cdb12(0xAE, 0x10, 5, 1)));
        assertGood(rig.run(filled(bs, 0x63), cdb16(0x8E, 0, 6, 1)));
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 3 * bs, 7 * bs)).isEqualTo(
                Bytes.concat(filled(2 * bs, 0x61), Bytes.concat(filled(bs, 0x62), filled(bs, 0x63))));
        assertThat(rig.store.fuas).containsExactly(true, true, true);
        assertSense(rig.run(filled(bs, 0), cdb10(0x2E, 0x04, 0, 1)), Sense.invalidFieldInCdb(1, 2));
        assertSense(rig.run(filled(bs, 0), cdb10(0x2E, 0x40, 0, 1)), Sense.invalidFieldInCdb(1, 7));
        assertSense(rig.run(filled(bs, 0), cdb10(0x2E, 0, 64, 1)), Sense.lbaOutOfRange());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void compareAndWriteWritesOnlyWhenTheVerifyDataMatches(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(10, 2, 'A');
        byte[] both = Bytes.concat(filled(2 * bs, 'A'), filled(2 * bs, 'B'));
        assertGood(rig.run(both, caw(10, 2, 0)));
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 10 * bs, 12 * bs)).isEqualTo(filled(2 * bs, 'B'));

        byte[] stale = Bytes.concat(filled(2 * bs, 'B'), filled(2 * bs, 'C'));
        stale[2 * bs - 27] = 'C';
        assertSense(rig.run(stale, caw(10, 2, 0)), Sense.miscompare().withInformation(2L * bs - 27));
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 10 * bs, 12 * bs)).isEqualTo(filled(2 * bs, 'B'));
    }

    @Test
    void compareAndWriteChecksItsFields() {
        SbcRig rig = new SbcRig(512, 300);
        // 256 blocks wrap to 0 in the one-byte field; the data-out gives the initiator away
        assertSense(rig.run(new byte[2 * 256 * 512], caw(0, 256, 0)), Sense.invalidFieldInCdb(13, -1));
        assertGood(rig.run(new byte[512], caw(0, 0, 0))); // zero blocks with a stray block: nothing happens
        assertGood(rig.run(new byte[2 * 255 * 512], caw(0, 255, 0)));
        assertGood(rig.run(new byte[512], caw(0, 0, 0x18))); // zero blocks: nothing happens (DPO, FUA accepted)
        assertSense(rig.run(new byte[1024], caw(300, 1, 0)), Sense.lbaOutOfRange());
        assertSense(rig.run(new byte[1024], caw(0, 1, 0x20)), Sense.invalidFieldInCdb(1, 7));
        assertSense(rig.run(new byte[4 * 512], caw(0, 1, 0)), Sense.invalidFieldInCdb(13, -1)); // too much data-out
        assertSense(rig.run(new byte[4 * 512], caw(0, 3, 0)), Sense.parameterListLengthError()); // too little
    }

    @Test
    void compareAndWritePassesFua() {
        SbcRig rig = new SbcRig(512, 8);
        assertGood(rig.run(new byte[1024], caw(0, 1, 0x08)));
        assertThat(rig.store.fuas).containsExactly(true);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void orWriteOrsTheDataIntoTheMedium(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertGood(rig.run(filled(3 * bs, 0xA5), cdb16(0x8B, 0, 61, 3)));
        assertGood(rig.run(filled(3 * bs, 0x5A), cdb16(0x8B, 0x08, 61, 3)));
        assertThat(data(rig.run(cdb16(0x88, 0, 61, 3)))).isEqualTo(filled(3 * bs, 0xFF));
        assertThat(rig.store.fuas).containsExactly(false, true);
        assertSense(rig.run(filled(bs, 0), cdb16(0x8B, 0x60, 0, 1)), Sense.invalidFieldInCdb(1, 7));
        assertSense(rig.run(filled(2 * bs, 0), cdb16(0x8B, 0, 63, 2)), Sense.lbaOutOfRange());
        assertGood(rig.run(cdb16(0x8B, 0, 64, 0)));
    }

    static int[] caw(long lba, int blocks, int byte1) {
        int[] c = cdb16(0x89, byte1, lba, 0);
        c[13] = blocks;
        return c;
    }
}
