package io.xtarget.e2e;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of end-to-end tests that need a server of their own for every test (they change LU state
 * such as reservations, mode pages or the buffer pool): one target with a 16 MiB RAM LU at
 * {@link #LUN}, started before each test and closed after it.
 */
abstract class OneRamLuE2e {
    static final int LUN = 0;

    @TempDir
    Path dir;
    E2eServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = E2eServer.builder(dir).ram("ram0", 16 * E2eServer.MIB, 512)
                .target(E2eServer.TARGET, List.of(E2eServer.EPHEMERAL), List.of(E2eServer.rw(LUN, "ram0"))).start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }
}
