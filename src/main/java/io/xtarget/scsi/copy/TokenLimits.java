package io.xtarget.scsi.copy;

import java.time.Duration;

/**
 * The limits of token-based copy (SBC-3 4.x "ROD token usage", SPC-4 5.16.4), in one record so
 * the Block Device ROD Token Limits descriptor and the ROD token features descriptor of VPD 0x8F
 * (SBC-3 6.6.4, SPC-4 7.8.17.x), the parser and the token table never disagree.
 *
 * <p>Sizes are in bytes here; the VPD page converts them to logical blocks of the LU it
 * describes. {@link #maxTokenTransferBytes} and {@link #optimalTransferBytes} are chosen so that a
 * WRITE USING TOKEN of that size finishes well inside the 4 seconds Windows allows a synchronous
 * offload command on the slowest backstore pair (see bench/RESULTS.md); {@link #foregroundBudget}
 * is the safety net behind that: a synchronous WRITE USING TOKEN that has run that long stops
 * (between the engine's 1 MiB chunks) and reports the blocks of the 16 MiB slices it finished
 * (COPY TARGET DEVICE DATA UNDERRUN, SBC-3 WRITE USING TOKEN).
 *
 * @param maxRanges MAXIMUM RANGE DESCRIPTORS per POPULATE TOKEN / WRITE USING TOKEN
 * @param defaultInactivitySeconds DEFAULT INACTIVITY TIMEOUT (a command's 0 means this)
 * @param maxInactivitySeconds MAXIMUM INACTIVITY TIMEOUT (larger values are refused)
 * @param maxTokenTransferBytes MAXIMUM TOKEN TRANSFER SIZE: bytes one token may represent
 * @param optimalTransferBytes OPTIMAL TRANSFER COUNT: bytes per WRITE USING TOKEN the host should use
 * @param maxTokens live tokens server-wide; a POPULATE TOKEN beyond it gets INSUFFICIENT RESOURCES
 * @param maxTokensPerInitiator live tokens one initiator name may hold (so one host cannot starve others)
 * @param foregroundBudget how long a synchronous (IMMED=0) WRITE USING TOKEN may move data
 */
public record TokenLimits(int maxRanges, int defaultInactivitySeconds, int maxInactivitySeconds,
        long maxTokenTransferBytes, long optimalTransferBytes, int maxTokens, int maxTokensPerInitiator,
        Duration foregroundBudget) {

    /** What xtarget advertises and enforces (numbers measured in bench/RESULTS.md). */
    public static final TokenLimits DEFAULT = new TokenLimits(64, 60, 600, 256L << 20, 64L << 20, 4096, 1024,
            Duration.ofMillis(2500));

    /** ROD type "access upon reference" (SPC-4 table "ROD type codes"): the data as it is when read. */
    public static final int ROD_TYPE_ACCESS_UPON_REFERENCE = 0x0001_0000;
    /** ROD type "block device zero ROD token" (SBC-3 4.x): WRITE USING TOKEN writes zeros. */
    public static final int ROD_TYPE_BLOCK_ZERO = 0xFFFF_0001;
    /** ROD TOKEN LENGTH of a 512-byte token (bytes after byte 7). */
    public static final int ROD_TOKEN_LENGTH = 0x01F8;
    public static final int TOKEN_BYTES = 512;
}
