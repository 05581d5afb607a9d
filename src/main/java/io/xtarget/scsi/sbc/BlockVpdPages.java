package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiTask;
import java.nio.ByteBuffer;

/** The SBC VPD pages: Block Limits 0xB0, Block Device Characteristics 0xB1, Logical Block Provisioning 0xB2. */
final class BlockVpdPages {
    static final int BLOCK_LIMITS = 0xB0;
    static final int BLOCK_DEVICE_CHARACTERISTICS = 0xB1;
    static final int LOGICAL_BLOCK_PROVISIONING = 0xB2;

    private BlockVpdPages() {}

    /** A page for a direct-access block device (peripheral qualifier 0, type 0) with its header. */
    private static ByteBuffer page(int code, int pageLength) {
        ByteBuffer b = ByteBuffer.allocate(4 + pageLength);
        b.put(1, (byte) code);
        b.putShort(2, (short) pageLength);
        return b;
    }

    /**
     * Block Limits, SBC-3 6.5.3 with the SBC-4 6.6.4 atomic fields (the page length 0x3C covers
     * both): limits from {@link SbcLimits}. The granularities follow the physical block; UGAVALID=1
     * with UNMAP GRANULARITY ALIGNMENT 0, as the lowest aligned LBA is 0. WRITE ATOMIC has no
     * ATOMIC BOUNDARY support, so both boundary fields are 0.
     */
    static byte[] blockLimits(ScsiTask task) {
        LogicalUnit lu = task.lu();
        int bs = lu.blockSize();
        int granularity = SbcLimits.granularityBlocks(lu);
        ByteBuffer b = page(BLOCK_LIMITS, 0x3C);
        // WSNZ=0: WRITE SAME with zero blocks writes to the end of the medium
        b.put(5, (byte) SbcLimits.MAX_COMPARE_AND_WRITE_BLOCKS);
        b.putShort(6, (short) granularity); // OPTIMAL TRANSFER LENGTH GRANULARITY
        b.putInt(8, (int) SbcLimits.maxTransferBlocks(bs)); // MAXIMUM TRANSFER LENGTH
        b.putInt(12, (int) SbcLimits.optimalTransferBlocks(bs)); // OPTIMAL TRANSFER LENGTH
        b.putInt(16, 0); // MAXIMUM PREFETCH LENGTH: not reported
        b.putInt(20, (int) SbcLimits.maxUnmapBlocks(bs)); // MAXIMUM UNMAP LBA COUNT
        b.putInt(24, SbcLimits.MAX_UNMAP_DESCRIPTORS); // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
        b.putInt(28, granularity); // OPTIMAL UNMAP GRANULARITY
        b.putInt(32, 0x8000_0000); // UGAVALID=1, UNMAP GRANULARITY ALIGNMENT 0
        b.putLong(36, SbcLimits.maxWriteSameBlocks(bs)); // MAXIMUM WRITE SAME LENGTH
        b.putInt(44, (int) SbcLimits.maxAtomicBlocks(lu)); // MAXIMUM ATOMIC TRANSFER LENGTH
        b.putInt(48, SbcLimits.atomicBlocks(lu)); // ATOMIC ALIGNMENT
        b.putInt(52, SbcLimits.atomicBlocks(lu)); // ATOMIC TRANSFER LENGTH GRANULARITY
        // 56: MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY, 60: MAXIMUM ATOMIC BOUNDARY SIZE = 0
        return b.array();
    }

    /** Block Device Characteristics, SBC-3 6.5.2: non-rotating medium, form factor not reported. */
    static byte[] blockDeviceCharacteristics(ScsiTask task) {
        ByteBuffer b = page(BLOCK_DEVICE_CHARACTERISTICS, 0x3C);
        b.putShort(4, (short) 0x0001); // MEDIUM ROTATION RATE: non-rotating medium
        return b.array();
    }

    /**
     * Logical Block Provisioning, SBC-3 6.5.4: thin provisioned, UNMAP (LBPU), WRITE SAME(16)
     * and (10) with UNMAP (LBPWS, LBPWS10), unmapped blocks read as zeros (LBPRZ), no anchored
     * state (ANC_SUP=0), no provisioning group descriptor (DP=0). THRESHOLD EXPONENT is nonzero
     * when the LU supports thresholds (a store on a file system: {@code ThinProvisioning}), the
     * unit of the Logical Block Provisioning log page's resource counts.
     */
    static byte[] logicalBlockProvisioning(ScsiTask task) {
        ByteBuffer b = page(LOGICAL_BLOCK_PROVISIONING, 0x04);
        b.put(4, (byte) task.lu().provisioning().thresholdExponent()); // THRESHOLD EXPONENT, 0: none
        b.put(5, (byte) (0x80 | 0x40 | 0x20 | 0x04)); // LBPU, LBPWS, LBPWS10, LBPRZ
        b.put(6, (byte) 0x02); // PROVISIONING TYPE 010b: thin provisioned
        return b.array();
    }
}
