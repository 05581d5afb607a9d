package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.FileStore;
import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.server.StandardCommands;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * READ and WRITE data go between the stores (RAM, file) and the guest's descriptors without a
 * buffer of ours: measured with the controller's counters of bytes copied and placed per I/O.
 */
class VhostDirectDataTest {
    @TempDir
    Path dir;
    ExecutorService workers = Executors.newFixedThreadPool(2);
    CopyCommandSet copy = new CopyCommandSet();
    ScsiCore core = new ScsiCore(StandardCommands.table(copy), List.of());
    LogicalUnit ram;
    LogicalUnit file;
    VhostController controller;

    @BeforeEach
    void start() throws Exception {
        ram = new LogicalUnit("ram", new RamStore(512, 4L << 20), VhostControllerTest.naa(1), "s1", false);
        file = new LogicalUnit("file", FileStore.open(dir.resolve("disk.img"), 512, 4L << 20, true),
                VhostControllerTest.naa(2), "s2", false);
        controller = new VhostController(dir.resolve("vm.sock"), PosixFilePermissions.fromString("rw-------"), null, 5,
                LunMap.of(List.of(new LunMapping(0, ram, false), new LunMapping(1, file, false))), core, workers,
                64L << 20);
        controller.start();
    }

    @AfterEach
    void stop() throws Exception {
        controller.close();
        workers.shutdownNow();
        copy.close();
        ram.store().close();
        file.store().close();
    }

    /** Bytes copied and placed by one command. */
    record Moved(long copied, long direct) {}

    interface Io {
        VirtioScsiGuest.Response run() throws Exception;
    }

    Moved measure(Io io, int expectedStatus) throws Exception {
        long c0 = controller.copiedBytes();
        long d0 = controller.directBytes();
        VirtioScsiGuest.Response r = io.run();
        assertThat(r.status()).isEqualTo(expectedStatus);
        return new Moved(controller.copiedBytes() - c0, controller.directBytes() - d0);
    }

    static byte[] rw10(int op, int lba, int blocks) {
        return VhostControllerTest.cdb(op, 0, lba >> 24, (lba >> 16) & 0xFF, (lba >> 8) & 0xFF, lba & 0xFF, 0,
                blocks >> 8, blocks & 0xFF, 0);
    }

    @Test
    void readsAndWritesScatteredOverDescriptorsCopyNothing() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(controller.socket().toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.ring(0, 8);
            fe.ring(1, 8);
            fe.ring(2, 256);
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            byte[] data = new byte[64 * 1024];
            new Random(7).nextBytes(data);
            for (int lun : new int[] {0, 1}) {
                // 4 KiB descriptors, 1000-byte ones (not block-aligned) and one piece: nothing copied
                for (int segment : new int[] {4096, 1000, data.length}) {
                    int lba = 8 * segment % 4096;
                    Moved w = measure(() -> g.command(0, lun, rw10(0x2A, lba, 128), data, 0, segment), 0);
                    assertThat(w).as("WRITE lun %d, %d-byte descriptors", lun, segment)
                            .isEqualTo(new Moved(0, data.length));
                    VirtioScsiGuest.Response[] read = new VirtioScsiGuest.Response[1];
                    Moved r = measure(() -> read[0] = g.command(0, lun, rw10(0x28, lba, 128), null, data.length,
                            segment), 0);
                    assertThat(r).as("READ lun %d, %d-byte descriptors", lun, segment)
                            .isEqualTo(new Moved(0, data.length));
                    assertThat(read[0].dataIn()).isEqualTo(data);
                    assertThat(read[0].residual()).isZero();
                    assertThat(read[0].usedLen()).isEqualTo(VirtioScsi.RESPONSE_HEADER_BYTES + data.length);
                }
            }
            byte[] back = new byte[data.length];
            file.store().read(8L * 1000 % 4096 * 512, ByteBuffer.wrap(back));
            assertThat(back).isEqualTo(data);
        }
    }

    @Test
    void whatTheHandlerBuildsOrParsesIsCopiedOnce() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(controller.socket().toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.ring(0, 8);
            fe.ring(1, 8);
            fe.ring(2, 256);
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            g.command(0, 0, VhostControllerTest.cdb(0, 0, 0, 0, 0, 0), null, 0, 4096); // power-on UA
            Moved inquiry = measure(() -> g.command(0, 0, VhostControllerTest.cdb(0x12, 0, 0, 0, 96, 0), null, 96,
                    4096), 0);
            assertThat(inquiry).isEqualTo(new Moved(96, 0));
            // a READ larger than the guest's buffers: the copying fallback, OVERRUN, what fits delivered
            VirtioScsiGuest.Response[] o = new VirtioScsiGuest.Response[1];
            Moved overrun = measure(() -> o[0] = g.command(0, 0, rw10(0x28, 0, 2), null, 512, 512), 0);
            assertThat(o[0].response()).isEqualTo(VirtioScsi.S_OVERRUN);
            assertThat(overrun).isEqualTo(new Moved(512, 0));
            // WRITE AND VERIFY compares what it wrote, so scattered data-out is gathered (counted)
            byte[] data = new byte[4096];
            new Random(3).nextBytes(data);
            Moved verify = measure(() -> g.command(0, 0, VhostControllerTest.cdb(0x2E, 2, 0, 0, 0, 40, 0, 0, 8, 0),
                    data, 0, 1024), 0);
            assertThat(verify).isEqualTo(new Moved(4096, 0));
        }
    }
}
