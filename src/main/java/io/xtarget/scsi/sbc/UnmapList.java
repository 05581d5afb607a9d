package io.xtarget.scsi.sbc;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;

/**
 * A validated UNMAP parameter list (SBC-3 5.28.2): LBA and block count of each descriptor.
 * The parser is total: any list yields either descriptors that are all on the medium and within
 * the advertised limits, or the sense SBC-3 asks for.
 */
final class UnmapList {
    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;

    private final long[] lbas;
    private final long[] counts;

    private UnmapList(long[] lbas, long[] counts) {
        this.lbas = lbas;
        this.counts = counts;
    }

    /**
     * @param list the parameter list, at least 8 bytes
     * @param blockCount the medium size in blocks
     * @param maxBlocks MAXIMUM UNMAP LBA COUNT
     */
    static UnmapList parse(ByteBuffer list, long blockCount, long maxBlocks) throws ScsiException {
        int length = list.remaining();
        int descriptorBytes = Short.toUnsignedInt(list.getShort(2)); // UNMAP BLOCK DESCRIPTOR DATA LENGTH
        // Descriptors beyond the parameter list were never sent, and a trailing partial
        // descriptor is not a descriptor: use the whole descriptors both lengths cover.
        int count = Math.min(descriptorBytes, length - HEADER) / DESCRIPTOR;
        if (count > SbcLimits.MAX_UNMAP_DESCRIPTORS) {
            throw new ScsiException(Sense.invalidFieldInParameterList(2, -1));
        }
        long[] lbas = new long[count];
        long[] counts = new long[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * DESCRIPTOR;
            long lba = list.getLong(at);
            long blocks = Integer.toUnsignedLong(list.getInt(at + 8));
            if (lba < 0 || lba > blockCount || blocks > blockCount - lba) {
                throw new ScsiException(Sense.lbaOutOfRange());
            }
            total += blocks;
            if (total > maxBlocks) {
                throw new ScsiException(Sense.invalidFieldInParameterList(at + 8, -1));
            }
            lbas[i] = lba;
            counts[i] = blocks;
        }
        return new UnmapList(lbas, counts);
    }

    int count() {
        return lbas.length;
    }

    long lba(int i) {
        return lbas[i];
    }

    long blocks(int i) {
        return counts[i];
    }
}
