package io.xtarget.scsi.sbc;

import io.xtarget.scsi.ScsiLimits;

/**
 * The limits VPD 0xB0 advertises and the handlers enforce, in one place so the two never
 * disagree (SBC-3 6.5.3).
 */
final class SbcLimits {
    /** MAXIMUM COMPARE AND WRITE LENGTH: the field is one byte; 255 blocks keep the data-out
     * (2 x 255 x 4096 bytes) well inside {@link ScsiLimits#MAX_TRANSFER_BYTES}. */
    static final int MAX_COMPARE_AND_WRITE_BLOCKS = 255;

    /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT: what a 16-bit PARAMETER LIST LENGTH can carry. */
    static final int MAX_UNMAP_DESCRIPTORS = (0xFFFF - 8) / 16;

    /** Bytes one WRITE SAME or UNMAP may touch: bounds the time a single command runs. */
    private static final long MAX_DEALLOCATE_BYTES = 1L << 30;

    /** libiscsi (and common sense) expects an explicit unmap limit of at most 1M blocks. */
    private static final long MAX_DEALLOCATE_BLOCKS = 1L << 20;

    private SbcLimits() {}

    /** MAXIMUM TRANSFER LENGTH in blocks: the fabric's per-command byte limit. */
    static long maxTransferBlocks(int blockSize) {
        return ScsiLimits.MAX_TRANSFER_BYTES / blockSize;
    }

    /** MAXIMUM UNMAP LBA COUNT, also the MAXIMUM WRITE SAME LENGTH. */
    static long maxUnmapBlocks(int blockSize) {
        return Math.min(MAX_DEALLOCATE_BLOCKS, MAX_DEALLOCATE_BYTES / blockSize);
    }

    static long maxWriteSameBlocks(int blockSize) {
        return maxUnmapBlocks(blockSize);
    }

    /** OPTIMAL TRANSFER LENGTH GRANULARITY and OPTIMAL UNMAP GRANULARITY: 4 KiB, the page size
     * of the stores underneath. */
    static int granularityBlocks(int blockSize) {
        return Math.max(1, 4096 / blockSize);
    }

    /** OPTIMAL TRANSFER LENGTH: 1 MiB. */
    static long optimalTransferBlocks(int blockSize) {
        return Math.max(1, (1 << 20) / blockSize);
    }
}
