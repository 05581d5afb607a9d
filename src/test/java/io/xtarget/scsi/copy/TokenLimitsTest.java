package io.xtarget.scsi.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The advertised token limits agree with each other and with the time budget's guarantee. */
class TokenLimitsTest {
    static final TokenLimits D = TokenLimits.DEFAULT;

    @Test
    void theDefaultsAnswerInsideWhatWindowsAllowsASynchronousCommand() {
        assertThat(D.synchronousAnswerWithin()).isEqualTo(Duration.ofMillis(2750))
                .isLessThan(TokenLimits.HOST_COMMAND_LIMIT);
        assertThat(D.optimalTransferBytes()).isLessThanOrEqualTo(D.maxTokenTransferBytes());
        // the budget's first pieces fit it even at the slowest rate the guarantee covers
        assertThat(CopyPace.MAX_LANES * CopyPace.FIRST_PIECE_BYTES * 1_000_000_000L
                / CopyPace.GUARANTEED_BYTES_PER_SECOND).isLessThan(D.foregroundBudget().toNanos());
    }

    @Test
    void vpd8fStatesTheLimitsInBlocksOfEachBlockSize() {
        for (int bs : new int[] {512, 4096}) {
            ByteBuffer b = ByteBuffer.wrap(TokenPages.blockDeviceRodLimits(D, bs));
            assertThat(b.getLong(16)).as("MAXIMUM TOKEN TRANSFER SIZE").isEqualTo((256L << 20) / bs);
            assertThat(b.getLong(24)).as("OPTIMAL TRANSFER COUNT").isEqualTo((64L << 20) / bs);
        }
        ByteBuffer f = ByteBuffer.wrap(TokenPages.rodTokenFeatures(D));
        assertThat(f.getLong(44 + 16)).as("OPTIMAL BYTES IN BLOCK ROD TRANSFER").isEqualTo(D.optimalTransferBytes());
    }

    @Test
    void anOptimalCountAboveTheMaximumOrANegativeBudgetIsRefused() {
        assertThatThrownBy(() -> new TokenLimits(64, 60, 600, 1 << 20, 2 << 20, 64, 64, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("OPTIMAL TRANSFER COUNT");
        assertThatThrownBy(() -> new TokenLimits(64, 60, 600, 1 << 20, 1 << 20, 64, 64, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
