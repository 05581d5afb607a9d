package io.xtarget.e2e;

import io.xtarget.backend.Store;
import io.xtarget.initiator.IscsiSession;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of end-to-end tests of started I/O: a server of its own for every test, one target with
 * a 16 MiB RAM LU behind the {@link StartingStore} that {@link #starting} makes.
 */
abstract class StartingStoreE2e {
    static final int BS = 512;

    @TempDir
    Path dir;
    E2eServer server;
    StartingStore store;

    /** The store under test, around the RAM store. */
    abstract StartingStore starting(Store ram);

    @BeforeEach
    void start() throws Exception {
        server = E2eServer.builder(dir).ram("ram0", 16 * E2eServer.MIB, BS)
                .wrap((name, s) -> store = starting(s))
                .target(E2eServer.TARGET, List.of(E2eServer.EPHEMERAL), List.of(E2eServer.rw(0, "ram0"))).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A session of initiator {@code iqn.2026-11.io.xtarget:NAME}, its unit attentions cleared. */
    IscsiSession open(String name) throws Exception {
        IscsiSession s = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:" + name));
        Scsi.clearUnitAttentions(s, 0);
        return s;
    }
}
