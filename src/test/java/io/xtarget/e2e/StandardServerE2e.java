package io.xtarget.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of end-to-end test classes that share one {@link E2eServer#standard} server, started
 * before the class's first test and closed after its last (test classes run one at a time).
 */
abstract class StandardServerE2e {
    @TempDir
    static Path dir;
    static E2eServer server;

    @BeforeAll
    static void startStandardServer() throws Exception {
        server = E2eServer.standard(dir);
    }

    @AfterAll
    static void stopStandardServer() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
