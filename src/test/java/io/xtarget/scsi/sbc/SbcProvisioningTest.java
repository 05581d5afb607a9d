package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.Sense;
import io.xtarget.testing.Bytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SbcProvisioningTest {

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void writeSameReplicatesOneBlockAcrossChunks(int bs) {
        int blocks = (1 << 20) / bs + 44; // more than one 1 MiB chunk
        SbcRig rig = new SbcRig(bs, blocks + 2);
        byte[] block = new byte[bs];
        for (int i = 0; i < bs; i++) {
            block[i] = (byte) (i % 251);
        }
        assertGood(rig.run(block, cdb16(0x93, 0, 1, blocks)));
        byte[] disk = rig.heap.bytes();
        for (int b = 1; b <= blocks; b++) {
            assertThat(Arrays.copyOfRange(disk, b * bs, (b + 1) * bs)).as("block %d", b).isEqualTo(block);
        }
        assertThat(Arrays.copyOfRange(disk, 0, bs)).isEqualTo(new byte[bs]);
        assertThat(Arrays.copyOfRange(disk, (blocks + 1) * bs, (blocks + 2) * bs)).isEqualTo(new byte[bs]);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void writeSameWithUnmapDeallocatesToZerosWhateverTheData(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(0, 64, 0xFF);
        assertGood(rig.run(filled(bs, 0xFF), cdb10(0x41, 0x08, 60, 4)));
        assertThat(rig.store.unmaps).containsExactly(new long[] {60L * bs, 4L * bs});
        assertThat(data(rig.run(cdb10(0x28, 0, 60, 4)))).isEqualTo(new byte[4 * bs]);
        assertThat(rig.heap.bytes()[60 * bs - 1]).isEqualTo((byte) 0xFF);
    }

    @Test
    void writeSame16NoDataOutWritesZerosOrUnmaps() {
        SbcRig rig = new SbcRig(512, 64);
        rig.fill(0, 64, 0xEE);
        assertGood(rig.run(cdb16(0x93, 0x01, 2, 3)));
        assertThat(data(rig.run(cdb10(0x28, 0, 2, 3)))).isEqualTo(new byte[3 * 512]);
        assertGood(rig.run(cdb16(0x93, 0x09, 10, 1)));
        assertThat(rig.store.unmaps).hasSize(1);
        assertThat(rig.heap.bytes()[5 * 512]).isEqualTo((byte) 0xEE);
    }

    @Test
    void writeSameWithZeroBlocksWritesToTheEndOfTheMedium() {
        SbcRig rig = new SbcRig(512, 64);
        byte[] block = new byte[512];
        java.util.Arrays.fill(block, (byte) 'z');
        assertGood(rig.run(block, cdb10(0x41, 0, 60, 0))); // WSNZ=0: LBAs 60..63
        for (int lba = 59; lba < 64; lba++) {
            assertThat(rig.heap.bytes()[lba * 512]).isEqualTo(lba < 60 ? (byte) 0 : (byte) 'z');
        }
    }

    @Test
    void writeSameFieldChecks() {
        SbcRig rig = new SbcRig(512, 64);
        byte[] block = new byte[512];
        assertSense(rig.run(block, cdb10(0x41, 0x10, 0, 1)), Sense.invalidFieldInCdb(1, 4)); // ANCHOR
        assertSense(rig.run(block, cdb10(0x41, 0x18, 0, 1)), Sense.invalidFieldInCdb(1, 4)); // ANCHOR + UNMAP
        assertSense(rig.run(block, cdb10(0x41, 0x04, 0, 1)), Sense.invalidFieldInCdb(1, 2)); // PBDATA
        assertSense(rig.run(block, cdb10(0x41, 0x02, 0, 1)), Sense.invalidFieldInCdb(1, 1)); // LBDATA
        assertSense(rig.run(block, cdb10(0x41, 0x20, 0, 1)), Sense.invalidFieldInCdb(1, 7)); // WRPROTECT
        assertSense(rig.run(block, cdb10(0x41, 0, 65, 0)), Sense.lbaOutOfRange()); // zero blocks, past the end
        assertSense(rig.run(block, cdb10(0x41, 0, 64, 0)), Sense.lbaOutOfRange()); // zero blocks at the capacity
        assertSense(rig.run(block, cdb16(0x93, 0, -1L, 0)), Sense.lbaOutOfRange());
        assertSense(rig.run(block, cdb10(0x41, 0, 63, 2)), Sense.lbaOutOfRange());
        assertSense(rig.run(new byte[1024], cdb10(0x41, 0x08, 0, 1)), Sense.invalidFieldInCdb()); // 2 blocks of data-out
        assertSense(rig.run(new byte[256], cdb10(0x41, 0x08, 0, 1)), Sense.parameterListLengthError());
    }

    @Test
    void writeSameLongerThanTheLimitIsInvalid() {
        SbcRig rig = SbcRig.over(new SparseStore(4096, 1L << 32));
        long max = SbcLimits.maxWriteSameBlocks(4096);
        assertSense(rig.run(new byte[4096], cdb16(0x93, 0x08, 0, max + 1)), Sense.invalidFieldInCdb(10, -1));
        assertGood(rig.run(new byte[4096], cdb16(0x93, 0x08, 0, max)));
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void unmapDeallocatesEveryDescriptor(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        rig.fill(0, 64, 'a');
        assertGood(rig.run(unmapList(new long[][] {{1, 2}, {10, 1}, {64, 0}}), unmapCdb(56)));
        assertThat(rig.store.unmaps).containsExactly(new long[] {bs, 2L * bs}, new long[] {10L * bs, bs});
        assertThat(data(rig.run(cdb10(0x28, 0, 0, 4)))).isEqualTo(
                Bytes.concat(filled(bs, 'a'), Bytes.concat(new byte[2 * bs], filled(bs, 'a'))));
    }

    @Test
    void unmapEmptyListsAreGood() {
        SbcRig rig = new SbcRig(512, 64);
        assertGood(rig.run(unmapCdb(0)));
        assertGood(rig.run(unmapList(new long[0][]), unmapCdb(8)));
        assertThat(rig.store.unmaps).isEmpty();
    }

    @Test
    void unmapChecksListAndDescriptorsBeforeChangingAnything() {
        SbcRig rig = new SbcRig(512, 64);
        assertSense(rig.run(new byte[4], unmapCdb(4)), Sense.parameterListLengthError());
        assertSense(rig.run(new byte[8], unmapCdb(24)), Sense.parameterListLengthError());
        assertSense(rig.run(unmapList(new long[][] {{0, 1}, {63, 2}}), unmapCdb(40)), Sense.lbaOutOfRange());
        assertSense(rig.run(unmapList(new long[][] {{-1, 1}}), unmapCdb(24)), Sense.lbaOutOfRange());
        assertThat(rig.store.unmaps).isEmpty();
        int[] anchored = unmapCdb(24);
        anchored[1] = 1;
        assertSense(rig.run(unmapList(new long[][] {{0, 1}}), anchored), Sense.invalidFieldInCdb(1, 0));
    }

    @Test
    void unmapDescriptorLengthBeyondTheListUsesOnlyWholeDescriptorsSent() {
        SbcRig rig = new SbcRig(512, 64);
        byte[] list = unmapList(new long[][] {{3, 1}, {5, 1}});
        ByteBuffer.wrap(list).putShort(2, (short) 200); // claims more descriptors than sent
        assertGood(rig.run(Arrays.copyOf(list, 30), unmapCdb(30))); // one whole descriptor and a partial one
        assertThat(rig.store.unmaps).containsExactly(new long[] {3 * 512L, 512L});
    }

    @Test
    void unmapOverTheLbaCountLimitIsInvalidFieldInParameterList() {
        SbcRig rig = SbcRig.over(new SparseStore(4096, 1L << 32));
        long max = SbcLimits.maxUnmapBlocks(4096);
        assertSense(rig.run(unmapList(new long[][] {{0, max}, {max, 1}}), unmapCdb(40)),
                Sense.invalidFieldInParameterList(32, -1));
        assertGood(rig.run(unmapList(new long[][] {{0, max - 1}, {max, 1}}), unmapCdb(40)));
    }

    @Test
    void getLbaStatusReportsTheRestOfTheMediumMapped() {
        SbcRig rig = new SbcRig(512, 64);
        ScsiResult r = rig.run(getLbaStatus(5, 24));
        assertGood(r);
        assertThat(data(r)).containsExactly(0, 0, 0, 20, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 59, 0, 0, 0, 0);
        assertThat(data(rig.run(getLbaStatus(63, 16)))).hasSize(16);
        assertGood(rig.run(getLbaStatus(63, 0)));
        assertSense(rig.run(getLbaStatus(64, 24)), Sense.lbaOutOfRange());
        assertSense(rig.run(getLbaStatus(65, 24)), Sense.lbaOutOfRange());
        assertSense(rig.run(getLbaStatus(0x8000000000000000L, 24)), Sense.lbaOutOfRange());
        assertSense(rig.run(getLbaStatus(-1L, 24)), Sense.lbaOutOfRange());
    }

    @Test
    void getLbaStatusCapsTheDescriptorAt32Bits() {
        SbcRig rig = SbcRig.over(new SparseStore(512, 0x2_0000_0000L * 512));
        byte[] d = data(rig.run(getLbaStatus(1, 24)));
        assertThat(ByteBuffer.wrap(d).getInt(16)).isEqualTo(-1);
    }

    static int[] unmapCdb(int length) {
        return new int[] {0x42, 0, 0, 0, 0, 0, 0, length >>> 8, length, 0};
    }

    static byte[] unmapList(long[][] descriptors) {
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * descriptors.length);
        b.putShort(0, (short) (6 + 16 * descriptors.length));
        b.putShort(2, (short) (16 * descriptors.length));
        for (int i = 0; i < descriptors.length; i++) {
            b.putLong(8 + 16 * i, descriptors[i][0]);
            b.putInt(16 + 16 * i, (int) descriptors[i][1]);
        }
        return b.array();
    }

    static int[] getLbaStatus(long lba, int alloc) {
        int[] c = cdb16(0x9E, 0x12, lba, alloc);
        return c;
    }
}
