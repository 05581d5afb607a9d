package io.xtarget.scsi.sbc;

import io.xtarget.scsi.LogicalUnit;

/**
 * A range of LBAs cut at the LU's physical block boundaries, for the unmap requests (SBC-3 4.7.3.4):
 * only whole physical blocks are deallocated. The lowest aligned LBA is 0, so the boundaries are
 * the multiples of the logical blocks per physical block; a physical block cut short by the end of
 * the medium counts as whole (it is all there is of it). With one logical block per physical
 * block, the whole range is {@link #middle}.
 *
 * @param lba first LBA of the range
 * @param first first LBA of the whole physical blocks ({@code lba} when it starts one)
 * @param last the LBA after the whole physical blocks ({@code first} when there are none)
 * @param end the LBA after the range
 */
record PhysicalGranules(long lba, long first, long last, long end) {

    static PhysicalGranules of(LogicalUnit lu, long lba, long blocks) {
        long g = lu.logicalPerPhysical(); // a power of two
        long end = lba + blocks;
        long first = Math.min(end, (lba + g - 1) & -g);
        long last = end == lu.blockCount() ? end : Math.max(first, end & -g);
        return new PhysicalGranules(lba, first, last, end);
    }

    /** Blocks before the first whole physical block: part of a physical block. */
    long headBlocks() {
        return first - lba;
    }

    /** Blocks of whole physical blocks, starting at {@link #first}. */
    long middleBlocks() {
        return last - first;
    }

    /** Blocks after the last whole physical block, starting at {@link #last}: part of one. */
    long tailBlocks() {
        return end - last;
    }
}
