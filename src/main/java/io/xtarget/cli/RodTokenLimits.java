package io.xtarget.cli;

import java.nio.ByteBuffer;

/**
 * What a logical unit's Block Device ROD Token Limits descriptor (descriptor 0000h of the
 * Third-party Copy VPD page, SBC-3 6.6.x) allows one POPULATE TOKEN or WRITE USING TOKEN, in
 * logical blocks of that LU. Zero means "not reported" (SBC-3: no limit).
 *
 * @param maxRanges MAXIMUM RANGE DESCRIPTORS
 * @param maxTransferBlocks MAXIMUM TOKEN TRANSFER SIZE
 * @param optimalTransferBlocks OPTIMAL TRANSFER COUNT
 */
record RodTokenLimits(int maxRanges, long maxTransferBlocks, long optimalTransferBlocks) {
    /** NUMBER OF LOGICAL BLOCKS of a block device range descriptor is 32 bits. */
    static final long MAX_RANGE_BLOCKS = 0xFFFF_FFFFL;

    /** The descriptor of a Third-party Copy VPD page, or null when there is none: no token copy. */
    static RodTokenLimits fromThirdPartyCopyVpd(byte[] page) {
        ByteBuffer d = ThirdPartyCopyPage.descriptor(page, 0x0000, 32);
        return d == null ? null : new RodTokenLimits(d.getShort(6) & 0xFFFF, d.getLong(16), d.getLong(24));
    }

    /**
     * Bytes one POPULATE TOKEN of a single range may name on this LU: MAXIMUM TOKEN TRANSFER SIZE
     * (or what a range descriptor holds), cut to a multiple of {@code unit}.
     */
    long maxTokenBytes(int blockSize, long unit) {
        return cut(blocks(maxTransferBlocks), blockSize, unit);
    }

    /**
     * Bytes one WRITE USING TOKEN of a single range should write on this LU: OPTIMAL TRANSFER
     * COUNT, never more than MAXIMUM TOKEN TRANSFER SIZE, cut to a multiple of {@code unit}.
     */
    long writeBytes(int blockSize, long unit) {
        long optimal = blocks(optimalTransferBlocks);
        return cut(Math.min(optimal, blocks(maxTransferBlocks)), blockSize, unit);
    }

    private static long blocks(long reported) {
        return reported <= 0 || reported > MAX_RANGE_BLOCKS ? MAX_RANGE_BLOCKS : reported;
    }

    private static long cut(long blocks, int blockSize, long unit) {
        long bytes = blocks * blockSize; // at most 2^32 blocks of at most 2^31 bytes
        return bytes - bytes % unit;
    }
}
