package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.*;
import static io.xtarget.testing.Bytes.concat;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.Sense;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SbcReadWriteTest {

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void write10ThenRead10ReturnsExactlyTheBlocks(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        byte[] data = new byte[3 * bs];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + 1);
        }
        assertGood(rig.run(data, cdb10(0x2A, 0, 5, 3)));
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 5 * bs, 8 * bs)).isEqualTo(data);

        ScsiResult r = rig.run(cdb10(0x28, 0, 5, 3));
        assertGood(r);
        assertThat(data(r)).isEqualTo(data);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void read12And16AndWrite12And16UseTheirLayouts(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertGood(rig.run(filled(2 * bs, 0x5A), cdb12(0xAA, 0, 10, 2)));
        assertGood(rig.run(filled(bs, 0x3C), cdb16(0x8A, 0, 12, 1)));
        assertThat(data(rig.run(cdb12(0xA8, 0, 10, 3)))).isEqualTo(concat(filled(2 * bs, 0x5A), filled(bs, 0x3C)));
        assertThat(data(rig.run(cdb16(0x88, 0, 12, 1)))).isEqualTo(filled(bs, 0x3C));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void read6LengthZeroMeans256Blocks(int bs) {
        SbcRig rig = new SbcRig(bs, 300);
        rig.fill(1, 256, 0x11);
        ScsiResult r = rig.run(0x08, 0, 0, 1, 0, 0);
        assertGood(r);
        assertThat(data(r)).isEqualTo(filled(256 * bs, 0x11));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void write6Writes21BitLba(int bs) {
        SbcRig rig = new SbcRig(bs, 300);
        assertGood(rig.run(filled(2 * bs, 0x22), 0x0A, 0x00, 0x01, 0x02, 2, 0)); // LBA 0x102
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 0x102 * bs, 0x104 * bs)).isEqualTo(filled(2 * bs, 0x22));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void rangeChecksGiveLbaOutOfRange(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertSense(rig.run(cdb10(0x28, 0, 63, 2)), Sense.lbaOutOfRange()); // all but one block beyond the end
        assertSense(rig.run(cdb10(0x28, 0, 65, 0)), Sense.lbaOutOfRange()); // 0 blocks, still range checked
        assertSense(rig.run(cdb10(0x28, 0, 0xFFFFFFFFL, 1)), Sense.lbaOutOfRange());
        assertSense(rig.run(cdb16(0x88, 0, 0x8000000000000000L, 1)), Sense.lbaOutOfRange());
        assertSense(rig.run(cdb16(0x88, 0, -1L, 1)), Sense.lbaOutOfRange());
        assertSense(rig.run(0x08, 0, 0, 64, 1, 0), Sense.lbaOutOfRange());
        assertSense(rig.run(filled(bs, 1), cdb10(0x2A, 0, 64, 1)), Sense.lbaOutOfRange());
        assertSense(rig.run(filled(bs, 1), cdb12(0xAA, 0, 64, 1)), Sense.lbaOutOfRange());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void zeroBlocksIsGoodWithoutData(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        ScsiResult r = rig.run(cdb10(0x28, 0, 64, 0));
        assertGood(r);
        assertThat(r.dataLength()).isZero();
        assertGood(rig.run(cdb16(0x8A, 0, 0, 0)));
        assertThat(rig.store.fuas).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0x28, 0xA8, 0x88, 0x2A, 0xAA, 0x8A})
    void nonZeroProtectFieldIsInvalidFieldAtByte1Bit7(int op) {
        SbcRig rig = new SbcRig(512, 64);
        for (int prot = 1; prot < 8; prot++) {
            int b1 = prot << 5;
            int[] cdb = switch (op) {
                case 0x28, 0x2A -> cdb10(op, b1, 0, 1);
                case 0xA8, 0xAA -> cdb12(op, b1, 0, 1);
                default -> cdb16(op, b1, 0, 1);
            };
            assertSense(rig.run(filled(512, 0), cdb), Sense.invalidFieldInCdb(1, 7));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void transferOverTheLimitIsInvalidFieldAtTheLengthField(int bs) {
        long limit = ScsiLimits.MAX_TRANSFER_BYTES / bs;
        SbcRig rig = new SbcRig(bs, 64);
        assertSense(rig.run(cdb12(0xA8, 0, 0, limit + 1)), Sense.invalidFieldInCdb(6, -1));
        assertSense(rig.run(cdb16(0x88, 0, 0, limit + 1)), Sense.invalidFieldInCdb(10, -1));
        if (limit + 1 <= 0xFFFF) {
            assertSense(rig.run(cdb10(0x28, 0, 0, (int) limit + 1)), Sense.invalidFieldInCdb(7, -1));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void fuaReachesTheStoreAndDpoIsAccepted(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertGood(rig.run(filled(bs, 1), cdb10(0x2A, 0x08, 0, 1)));
        assertGood(rig.run(filled(bs, 1), cdb10(0x2A, 0x10, 0, 1)));
        assertGood(rig.run(cdb10(0x28, 0x18, 0, 1)));
        assertThat(rig.store.fuas).containsExactly(true, false);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void writeCacheDisabledMakesEveryWriteDurable(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.lu.mode().writeCacheEnabled = false;
        assertGood(rig.run(filled(bs, 1), cdb10(0x2A, 0, 0, 1)));
        assertThat(rig.store.fuas).containsExactly(true);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void shortDataOutWritesOnlyTheWholeBlocksReceived(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(0, 2, 'a');
        assertGood(rig.run(filled(bs, 'b'), cdb10(0x2A, 0, 0, 2))); // EDTL one block, TL two
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 0, 2 * bs)).isEqualTo(concat(filled(bs, 'b'), filled(bs, 'a')));
        assertGood(rig.run(filled(200, 'c'), cdb10(0x2A, 0, 0, 1))); // less than a block: nothing written
        assertGood(rig.run(cdb10(0x2A, 0, 0, 1))); // no data at all
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 0, bs)).isEqualTo(filled(bs, 'b'));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void longDataOutWritesOnlyTheTransferLength(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(0, 2, 'a');
        assertGood(rig.run(filled(2 * bs, 'b'), cdb10(0x2A, 0, 0, 1)));
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 0, 2 * bs)).isEqualTo(concat(filled(bs, 'b'), filled(bs, 'a')));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readFailureBecomesMediumErrorAndWriteFailureWriteError(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.heap.failFrom(10L * bs);
        assertSense(rig.run(cdb10(0x28, 0, 9, 2)), Sense.unrecoveredReadError());
        assertSense(rig.run(filled(2 * bs, 0), cdb10(0x2A, 0, 9, 2)), Sense.writeError());
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readOnlyMappingRejectsWritesBeforeTheHandler(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.lu.mode().softwareWriteProtect = true;
        assertThat(rig.run(filled(bs, 0), cdb10(0x2A, 0, 0, 1)).sense().key()).isEqualTo(7);
        assertGood(rig.run(cdb10(0x35, 0, 0, 0))); // SYNCHRONIZE CACHE still works
    }
}
