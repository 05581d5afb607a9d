package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** TokenCopy's own logic; the copy itself is tested end to end in XcopyOdxCommandTest. */
class TokenCopyTest {
    @Test
    void tokenCopyGivesUpWhenEarlyEndsStopGettingFurther() throws Exception {
        // a target that answers every WRITE USING TOKEN with COPY TARGET DEVICE DATA UNDERRUN and 0
        // blocks (a destination that writes nothing within the target's time budget): the copy must not loop
        TokenCopy c = new TokenCopy(1, 1, true, new PrintWriter(new StringWriter()));
        c.advance(8192, 65536, 16);
        c.advance(8192, 65536, 16);
        c.advance(16384, 65536, 32); // progress resets the count
        c.advance(16384, 65536, 32);
        c.advance(16384, 65536, 32);
        assertThatThrownBy(() -> c.advance(16384, 65536, 32)).hasMessage("3 WRITE USING TOKEN commands in a row ended"
                + " early without getting past destination LBA 32 (COPY TARGET DEVICE DATA UNDERRUN)");
    }
}
