package io.xtarget.vhost;

import static io.xtarget.vhost.VhostVanishedGuestTest.await;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.server.StandardCommands;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A vhost-user-scsi controller on {@code dir/vm.sock} (mode rw-------, 3 queues, 64 MiB of
 * buffers) serving {@code mappings} from a core and worker pool of its own; {@link #connect}
 * brings a fake front-end up to the point where the controller serves it.
 */
final class VhostFixture implements AutoCloseable {
    final ExecutorService workers;
    final CopyCommandSet copy = new CopyCommandSet();
    final ScsiCore core = new ScsiCore(StandardCommands.table(copy), List.of());
    final VhostController controller;

    VhostFixture(Path dir, int workerThreads, LunMapping... mappings) throws IOException {
        workers = Executors.newFixedThreadPool(workerThreads);
        controller = new VhostController(dir.resolve("vm.sock"), PosixFilePermissions.fromString("rw-------"), null, 3,
                LunMap.of(List.of(mappings)), core, workers, 64L << 20);
        controller.start();
    }

    /** A front-end (guest memory in a memfd named {@code memfdName}) with rings 0 and 1 of 8 entries, 2 of 16. */
    FakeFrontEnd connect(String memfdName) throws Exception {
        FakeFrontEnd fe = new FakeFrontEnd(controller.socket().toString(), memfdName);
        fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
        fe.ring(0, 8);
        fe.ring(1, 8);
        fe.ring(2, 16);
        await(controller::connected, "the front-end to be served");
        return fe;
    }

    @Override
    public void close() {
        controller.close();
        workers.shutdownNow();
        copy.close();
    }
}
