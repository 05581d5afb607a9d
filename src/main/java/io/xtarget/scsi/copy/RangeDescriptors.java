package io.xtarget.scsi.copy;

import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The block device range descriptors of POPULATE TOKEN and WRITE USING TOKEN (SBC-3 5.x, table
 * "block device range descriptor"): 16 bytes each, LBA (8), NUMBER OF LOGICAL BLOCKS (4),
 * reserved (4). Descriptors with zero blocks are kept (they name no blocks).
 *
 * @param ranges in parameter list order
 * @param firstOffset byte offset of the first descriptor in the parameter list (for field pointers)
 */
record RangeDescriptors(List<Range> ranges, int firstOffset) {
    static final int DESCRIPTOR_BYTES = 16;
    /**
     * The most descriptor bytes a BLOCK DEVICE RANGE DESCRIPTOR LENGTH (16 bits) can name, in whole
     * descriptors (4095 of them): with the list's header, the largest parameter list the token
     * commands take, so a list is never sized past 64 KiB by a CDB, and a list naming more ranges
     * than VPD 8Fh allows is read and refused as TOO MANY SEGMENT DESCRIPTORS (SBC-3).
     */
    static final int MAX_DESCRIPTOR_BYTES = 0xFFFF / DESCRIPTOR_BYTES * DESCRIPTOR_BYTES;

    /** One range of logical blocks of the LU the command addresses. */
    record Range(long lba, long blocks) {}

    /**
     * Parses {@code length} bytes of descriptors at {@code offset} of {@code list}. The caller has
     * checked that the bytes are there.
     *
     * @param lengthField byte offset of the BLOCK DEVICE RANGE DESCRIPTOR LENGTH field, for pointers
     */
    static RangeDescriptors parse(ByteBuffer list, int offset, int length, int lengthField, TokenLimits limits)
            throws ScsiException {
        if (length == 0 || length % DESCRIPTOR_BYTES != 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(lengthField, -1));
        }
        int count = length / DESCRIPTOR_BYTES;
        if (count > limits.maxRanges()) {
            throw new ScsiException(TokenSense.tooManyRanges());
        }
        List<Range> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = offset + i * DESCRIPTOR_BYTES;
            out.add(new Range(list.getLong(at), list.getInt(at + 8) & 0xFFFF_FFFFL));
        }
        return new RangeDescriptors(List.copyOf(out), offset);
    }

    /**
     * Checks every range against the LU: past the last LBA is LBA OUT OF RANGE (21h/00h, with the
     * first LBA that does not exist in INFORMATION); two ranges sharing a block are INVALID FIELD IN
     * PARAMETER LIST pointing at the LBA of the later one (SBC-3: "overlapping ranges").
     */
    void check(LogicalUnit lu) throws ScsiException {
        for (Range r : ranges) {
            if (!lu.inRange(r.lba(), r.blocks())) {
                long bad = r.lba() < 0 || Long.compareUnsigned(r.lba(), lu.blockCount()) >= 0 ? r.lba() : lu.blockCount();
                throw new ScsiException(Sense.lbaOutOfRange().withInformation(bad));
            }
        }
        for (int i = 1; i < ranges.size(); i++) {
            Range b = ranges.get(i);
            for (int j = 0; j < i; j++) {
                Range a = ranges.get(j);
                if (a.blocks() > 0 && b.blocks() > 0 && a.lba() < b.lba() + b.blocks() && b.lba() < a.lba() + a.blocks()) {
                    throw new ScsiException(Sense.invalidFieldInParameterList(firstOffset + i * DESCRIPTOR_BYTES, -1));
                }
            }
        }
    }

    /** Sum of NUMBER OF LOGICAL BLOCKS. */
    long totalBlocks() {
        long n = 0;
        for (Range r : ranges) {
            n += r.blocks();
        }
        return n;
    }

    /** Byte offset of the NUMBER OF LOGICAL BLOCKS field of descriptor {@code i}, for pointers. */
    int blocksField(int i) {
        return firstOffset + i * DESCRIPTOR_BYTES + 8;
    }
}
