package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** {@code xtarget status} output from a metrics text (the server side is MetricsEndpointTest). */
class StatusCommandTest {
    @Test
    void printsTheTokenCopyCounters() {
        String metrics = """
                # TYPE xtarget_rod_tokens_created_total counter
                xtarget_rod_tokens_created_total 5
                xtarget_rod_tokens_used_total 4
                xtarget_rod_tokens_expired_total 1
                xtarget_token_copy_bytes_total 8388608
                xtarget_token_zero_bytes_total 1048576
                """;
        StringWriter out = new StringWriter();
        StatusCommand.print(StatusCommand.parse(metrics), URI.create("http://127.0.0.1:9260/metrics"),
                new PrintWriter(out, true));
        assertThat(out.toString()).contains("token copies (POPULATE TOKEN / WRITE USING TOKEN)")
                .contains("  tokens created    5").contains("  tokens used       4")
                .contains("  tokens expired    1").contains("  bytes by token    8.0 MiB (8388608)")
                .contains("  bytes zeroed      1.0 MiB (1048576)");
    }
}
