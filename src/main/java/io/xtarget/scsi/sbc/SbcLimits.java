package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;
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

    /** Bytes one WRITE ATOMIC may write: its stripes are held exclusively while the store writes,
     * so this bounds how long it keeps overlapping reads and writes waiting (about a millisecond
     * in memory, tens on a disk). */
    private static final int MAX_ATOMIC_BYTES = 4 << 20;

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

    /**
     * OPTIMAL TRANSFER LENGTH GRANULARITY and OPTIMAL UNMAP GRANULARITY: the physical block, but
     * at least 4 KiB, the page size of the stores underneath (a smaller write or unmap costs them
     * a read-modify-write or a zero fill).
     */
    static int granularityBlocks(LogicalUnit lu) {
        return Math.max(lu.logicalPerPhysical(), Math.max(1, 4096 / lu.blockSize()));
    }

    /**
     * ATOMIC ALIGNMENT and ATOMIC TRANSFER LENGTH GRANULARITY (SBC-4 6.6.4): one physical block,
     * so an atomic write always covers whole physical blocks and never needs the read-modify-write
     * of a partial one (1, no restriction, unless the LU has a larger physical block).
     */
    static int atomicBlocks(LogicalUnit lu) {
        return lu.logicalPerPhysical();
    }

    /** MAXIMUM ATOMIC TRANSFER LENGTH: {@link #MAX_ATOMIC_BYTES}, a multiple of the granularity. */
    static long maxAtomicBlocks(LogicalUnit lu) {
        long n = Math.min(MAX_ATOMIC_BYTES, ScsiLimits.MAX_TRANSFER_BYTES) / lu.blockSize();
        return n - n % atomicBlocks(lu);
    }

    /** OPTIMAL TRANSFER LENGTH: 1 MiB. */
    static long optimalTransferBlocks(int blockSize) {
        return Math.max(1, (1 << 20) / blockSize);
    }
}
