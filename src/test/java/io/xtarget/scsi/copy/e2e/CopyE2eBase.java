package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One copy test server per test class, with the host initiator logged in to target A. */
abstract class CopyE2eBase {
    @TempDir
    static Path dir;
    static CopyTestServer server;
    static Host host;

    @BeforeAll
    static void start() throws IOException {
        server = CopyTestServer.start(dir);
        host = server.login(A, HOST);
    }

    @AfterAll
    static void stop() {
        if (host != null) {
            host.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
