package io.xtarget.vhost;

import static io.xtarget.vhost.VhostVanishedGuestTest.await;
import static io.xtarget.vhost.VhostVanishedGuestTest.guestMappings;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.server.StandardCommands;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile front-ends found by the adversarial review: each ends its session without leaving anything behind. */
class VhostAdversaryTest {
    @TempDir
    Path dir;
    ExecutorService workers = Executors.newFixedThreadPool(2);
    CopyCommandSet copy = new CopyCommandSet();
    ScsiCore core = new ScsiCore(StandardCommands.table(copy), List.of());
    LogicalUnit lu;
    VhostController controller;

    @BeforeEach
    void start() throws Exception {
        lu = new LogicalUnit("disk1", new RamStore(512, 4L << 20), VhostControllerTest.naa(1), "s1", false);
        controller = new VhostController(dir.resolve("vm.sock"), PosixFilePermissions.fromString("rw-------"), null, 3,
                LunMap.of(List.of(new LunMapping(0, lu, false))), core, workers, 64L << 20);
        controller.start();
    }

    @AfterEach
    void stop() {
        controller.close();
        workers.shutdownNow();
        copy.close();
    }

    FakeFrontEnd connect() throws Exception {
        FakeFrontEnd fe = new FakeFrontEnd(controller.socket().toString());
        fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
        fe.ring(0, 8);
        fe.ring(1, 8);
        fe.ring(2, 16);
        await(controller::connected, "the front-end to be served");
        return fe;
    }

    /**
     * A SET_MEM_TABLE whose new table no longer holds a started ring's addresses is refused (the
     * session ends), but the table it was to replace must still be unmapped when the session ends.
     */
    @Test
    void aRefusedMemTableReplacementLeavesNoMappingBehind() throws Exception {
        int otherMemfd = UnixFds.memfd("guest-other", 1L << 20);
        try {
            try (FakeFrontEnd fe = connect()) {
                VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
                assertThat(g.command(0, new byte[6], null, 0).status()).isZero();
                assertThat(guestMappings()).isEqualTo(2); // the front-end's and ours
                // a region somewhere else: the started rings' addresses are not in it
                ByteBuffer t = ByteBuffer.allocate(8 + 32).order(ByteOrder.LITTLE_ENDIAN);
                t.putInt(1).putInt(0).putLong(0x4000_0000L).putLong(1L << 20).putLong(0x6000_0000_0000L).putLong(0);
                fe.send(VhostUserRequest.SET_MEM_TABLE, 0, t.array(), otherMemfd);
                assertThat(fe.closedByBackEnd()).as("the session ends").isTrue();
            }
            await(() -> !controller.connected(), "the clean-up");
            assertThat(guestMappings()).as("every guest mapping of the ended session unmapped").isZero();
        } finally {
            UnixFds.closeQuietly(otherMemfd);
        }
    }
}
