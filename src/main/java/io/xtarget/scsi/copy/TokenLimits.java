package io.xtarget.scsi.copy;

import java.time.Duration;

/**
 * The limits of token-based copy (SBC-3 4.x "ROD token usage", SPC-4 5.16.4), in one record so
 * the Block Device ROD Token Limits descriptor and the ROD token features descriptor of VPD 0x8F
 * (SBC-3 6.6.4, SPC-4 7.8.17.x), the parser and the token table never disagree.
 *
 * <p>Sizes are in bytes here; the VPD page converts them to logical blocks of the LU it
 * describes. {@link #maxTokenTransferBytes} (MAXIMUM TOKEN TRANSFER SIZE) and
 * {@link #optimalTransferBytes} (OPTIMAL TRANSFER COUNT, what Windows asks for per WRITE USING
 * TOKEN) are chosen for throughput: on the measured backstore pairs a WRITE USING TOKEN of the
 * optimal count takes under 40 ms and one of the maximum under 0.3 s (bench/RESULTS.md sections 5
 * and 7). They do not have to fit every store into the 4 s Windows allows a synchronous offload
 * command: {@link #foregroundBudget} does that. A synchronous WRITE USING TOKEN sizes its pieces to
 * the rate it measures and answers within {@link #synchronousAnswerWithin} (on stores moving at
 * least 64 KiB/s steadily, see {@link CopyPace}); when the range is more than the stores move in
 * the budget it ends with COPY TARGET DEVICE DATA UNDERRUN and the blocks written contiguously
 * from the first range (SBC-3 WRITE USING TOKEN), and the host sends the rest. So a WRITE USING
 * TOKEN of the optimal count completes in one command on stores moving at least
 * optimal / budget (64 MiB / 2.5 s, about 26 MiB/s), in several below that, and never breaks the
 * 4 s. The record refuses an optimal count above the maximum (a host would be told to ask for
 * more than a token may hold).
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

    /** How long Windows waits for a synchronous (IMMED=0) offload command before it gives up on it. */
    public static final Duration HOST_COMMAND_LIMIT = Duration.ofSeconds(4);

    public TokenLimits {
        if (maxTokenTransferBytes <= 0 || optimalTransferBytes <= 0 || optimalTransferBytes > maxTokenTransferBytes) {
            throw new IllegalArgumentException("OPTIMAL TRANSFER COUNT must be 1.." + maxTokenTransferBytes
                    + " bytes (MAXIMUM TOKEN TRANSFER SIZE), not " + optimalTransferBytes);
        }
        if (foregroundBudget.isNegative()) {
            throw new IllegalArgumentException("negative time budget " + foregroundBudget);
        }
    }

    /**
     * When a synchronous WRITE USING TOKEN has answered at the latest, counted from when its data
     * arrived, on stores that move at least {@link CopyPace#GUARANTEED_BYTES_PER_SECOND} steadily:
     * the budget plus {@link CopyPace#OVERRUN_NANOS}.
     */
    public Duration synchronousAnswerWithin() {
        return foregroundBudget.plusNanos(CopyPace.OVERRUN_NANOS);
    }

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
