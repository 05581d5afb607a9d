package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bind and connect of {@link UnixSockets}: their failures name the call and leave no descriptor. */
class UnixSocketsTest {
    @TempDir
    Path dir;

    @Test
    void bindsListensAndConnects() throws Exception {
        String path = dir.resolve("s.sock").toString();
        int server = UnixSockets.bind(path);
        try {
            UnixSockets.startListening(server, 1);
            int client = UnixSockets.connect(path);
            int accepted = UnixSockets.accept(server);
            UnixFds.closeQuietly(client);
            UnixFds.closeQuietly(accepted);
            assertThatThrownBy(() -> UnixSockets.bind(path)).isInstanceOf(IOException.class)
                    .hasMessageContaining("bind " + path);
        } finally {
            UnixFds.closeQuietly(server);
        }
    }

    @Test
    void failuresLeaveNoDescriptorOpen() throws Exception {
        java.util.Set<String> before = VhostVanishedGuestTest.openFds();
        String missing = dir.resolve("none.sock").toString();
        String tooLong = "/" + "x".repeat(UnixSockets.MAX_PATH_BYTES);
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> UnixSockets.connect(missing)).hasMessageContaining("connect " + missing);
            assertThatThrownBy(() -> UnixSockets.connect(tooLong)).hasMessageContaining("must be 1 to 107");
            assertThatThrownBy(() -> UnixSockets.bind(tooLong)).hasMessageContaining("must be 1 to 107");
            assertThatThrownBy(() -> UnixSockets.bind(dir.resolve("no/such/dir.sock").toString()))
                    .hasMessageContaining("bind ");
        }
        assertThat(VhostVanishedGuestTest.leakedSince(before)).isEmpty();
    }
}
