package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.testing.HeapStore;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An LU whose physical block holds several logical blocks ("512e"): what READ CAPACITY(16) and
 * VPD 0xB0 report (SBC-3 5.16.2, 6.5.3), and how UNMAP and WRITE SAME with UNMAP treat the blocks
 * of a physical block they cover only in part (SBC-3 5.28, 5.42, 6.5.3).
 */
class PhysicalBlockTest {

    @ParameterizedTest
    @CsvSource({"512, 512, 0", "512, 4096, 3", "512, 8192, 4", "4096, 4096, 0", "4096, 16384, 2"})
    void readCapacity16ReportsTheExponentAndLowestAlignedLbaZero(int bs, int pbs, int exponent) {
        SbcRig rig = new SbcRig(bs, 64, pbs);
        byte[] d = data(rig.run(SbcDeviceTest.readCapacity16(32)));
        assertThat(ByteBuffer.wrap(d).getInt(8)).isEqualTo(bs);
        assertThat(d[13] & 0x0F).isEqualTo(exponent); // LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
        assertThat(d[13] & 0xF0).isZero(); // P_I_EXPONENT
        assertThat(d[14] & 0xFF).isEqualTo(0xC0); // LBPME, LBPRZ, LOWEST ALIGNED LBA bits 13..8 = 0
        assertThat(d[15]).isZero(); // LOWEST ALIGNED LOGICAL BLOCK ADDRESS = 0
    }

    @ParameterizedTest
    @CsvSource({"512, 512, 8", "512, 4096, 8", "512, 8192, 16", "4096, 4096, 1", "4096, 16384, 4"})
    void blockLimitsGranularitiesFollowThePhysicalBlock(int bs, int pbs, int granularity) throws ScsiException {
        ByteBuffer b = ByteBuffer.wrap(SbcDeviceTest.vpd(new SbcRig(bs, 64, pbs), 0xB0));
        assertThat(b.getShort(6)).isEqualTo((short) granularity); // OPTIMAL TRANSFER LENGTH GRANULARITY
        assertThat(b.getInt(28)).isEqualTo(granularity); // OPTIMAL UNMAP GRANULARITY
        assertThat(b.getInt(32)).isEqualTo(0x8000_0000); // UGAVALID=1, UNMAP GRANULARITY ALIGNMENT 0
    }

    @Test
    void unmapDeallocatesWholePhysicalBlocksAndLeavesPartialOnesMapped() {
        SbcRig rig = new SbcRig(512, 64, 4096);
        rig.fill(0, 64, 0xFF);
        assertGood(rig.run(unmapList(3, 16), cdb10(0x42, 0, 0, 24))); // LBAs 3..18: 3..7 | 8..15 | 16..18
        assertThat(rig.store.unmaps).containsExactly(new long[] {8 * 512, 8 * 512});
        assertBlocks(rig, 0, 8, 0xFF); // the partial head keeps its data (it stays mapped)
        assertBlocks(rig, 8, 8, 0);
        assertBlocks(rig, 16, 48, 0xFF);
    }

    @Test
    void unmapWithinOnePhysicalBlockChangesNothing() {
        SbcRig rig = new SbcRig(512, 64, 4096);
        rig.fill(0, 64, 0xFF);
        assertGood(rig.run(unmapList(9, 6), cdb10(0x42, 0, 0, 24)));
        assertThat(rig.store.unmaps).isEmpty();
        assertBlocks(rig, 0, 64, 0xFF);
    }

    @Test
    void unmapOfTheLastPhysicalBlockCutShortByTheEndOfTheMediumDeallocatesIt() {
        SbcRig rig = new SbcRig(512, 61, 4096); // the last physical block holds only LBAs 56..60
        rig.fill(0, 61, 0xFF);
        assertGood(rig.run(unmapList(54, 7), cdb10(0x42, 0, 0, 24)));
        assertThat(rig.store.unmaps).containsExactly(new long[] {56 * 512, 5 * 512});
        assertBlocks(rig, 54, 2, 0xFF);
        assertBlocks(rig, 56, 5, 0);
    }

    @Test
    void writeSameWithUnmapWritesTheDataOutBlockToPartialPhysicalBlocks() {
        SbcRig rig = new SbcRig(512, 64, 4096);
        rig.fill(0, 64, 0xFF);
        assertGood(rig.run(new byte[512], cdb10(0x41, 0x08, 3, 16))); // zeros: every LBA reads 0
        assertThat(rig.store.unmaps).containsExactly(new long[] {8 * 512, 8 * 512});
        assertBlocks(rig, 0, 3, 0xFF);
        assertBlocks(rig, 3, 16, 0);
        assertBlocks(rig, 19, 45, 0xFF);
        // SBC-3 5.42: each LBA is unmapped or written with the data-out block, whatever it holds
        rig.fill(0, 64, 0xFF);
        assertGood(rig.run(filled(512, 0x5A), cdb16(0x93, 0x08, 30, 12))); // 30..31 | 32..39 | 40..41
        assertBlocks(rig, 30, 2, 0x5A);
        assertBlocks(rig, 32, 8, 0);
        assertBlocks(rig, 40, 2, 0x5A);
        assertBlocks(rig, 42, 22, 0xFF);
    }

    @Test
    void writeSameNoDataOutWithUnmapZeroesPartialPhysicalBlocks() {
        SbcRig rig = new SbcRig(512, 64, 4096);
        rig.fill(0, 64, 0xEE);
        for (int i = 1; i < 8; i++) { // libiscsi WriteSame16.UnmapUnaligned: LBA i, 8 - i blocks
            assertGood(rig.run(cdb16(0x93, 0x09, i, 8 - i)));
        }
        assertThat(rig.store.unmaps).isEmpty();
        assertBlocks(rig, 0, 1, 0xEE);
        assertBlocks(rig, 1, 7, 0);
        assertGood(rig.run(cdb16(0x93, 0x09, 8, 0))); // zero blocks: to the end of the medium, all whole
        assertThat(rig.store.unmaps).containsExactly(new long[] {8 * 512, 56 * 512});
    }

    @Test
    void oneLogicalBlockPerPhysicalBlockUnmapsExactlyWhatIsAsked() {
        SbcRig rig = new SbcRig(512, 64);
        assertGood(rig.run(unmapList(3, 2), cdb10(0x42, 0, 0, 24)));
        assertThat(rig.store.unmaps).containsExactly(new long[] {3 * 512, 2 * 512});
    }

    @Test
    void theLuRefusesAPhysicalBlockSizeThatIsNotAPowerOfTwoMultiple() {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        for (int pbs : new int[] {256, 1000, 1536, 3072}) {
            assertThatThrownBy(() -> new LogicalUnit("x", new HeapStore(512, 8), naa, "s", false, false, pbs))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("power-of-two multiple");
        }
        assertThat(new LogicalUnit("x", new HeapStore(512, 8), naa, "s", false, false, 4096).logicalPerPhysical())
                .isEqualTo(8);
    }

    /** An UNMAP parameter list of one descriptor. */
    private static byte[] unmapList(long lba, int blocks) {
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putShort(0, (short) 22);
        b.putShort(2, (short) 16);
        b.putLong(8, lba);
        b.putInt(16, blocks);
        return b.array();
    }

    private static void assertBlocks(SbcRig rig, int lba, int blocks, int value) {
        byte[] d = Arrays.copyOfRange(rig.heap.bytes(), lba * 512, (lba + blocks) * 512);
        assertThat(d).as("LBAs %d..%d", lba, lba + blocks - 1).isEqualTo(filled(blocks * 512, value));
    }
}
