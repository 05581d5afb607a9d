package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.IscsiSession;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@code block} backstore on a real loop device served over iSCSI. Skipped unless root with a
 * working losetup; the device is always detached.
 */
@Timeout(120)
class BlockBackstoreE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:block";

    @Test
    void loopDeviceServedOverIscsi(@TempDir Path dir) throws Exception {
        long size = 24 * MIB;
        byte[] data = Scsi.random(1 << 20, 77);
        long lba = 2048;
        try (LoopDevice loop = LoopDevice.attachOrSkip(dir.resolve("loop.img"), size)) {
            try (E2eServer server = E2eServer.builder(dir).block("raw", loop.device(), 512)
                    .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(0, "raw"))).start();
                    IscsiSession s = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:e2e-block"))) {
                assertThat(server.server().units().getFirst().store().kind()).isEqualTo("block");
                assertThat(Scsi.capacity(s, 0)).containsExactly(size / 512, 512);
                Scsi.write(s, 0, lba, data, 512);
                Scsi.good(s, 0, new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}, null, 0); // SYNCHRONIZE CACHE (10)
                assertThat(Scsi.read(s, 0, lba, data.length, 512)).isEqualTo(data);
                // The last block is reachable, one past it is not (05/21/00).
                Scsi.write(s, 0, size / 512 - 1, Scsi.random(512, 1), 512);
                var past = Scsi.run(s, 0, Scsi.read10(size / 512, 1), null, 512);
                assertThat(Scsi.sense(past).asc()).isEqualTo(0x21);
            }
            loop.close();
            // The bytes went through the device into its backing file.
            byte[] onDisk = new byte[data.length];
            try (RandomAccessFile f = new RandomAccessFile(loop.backingFile().toFile(), "r")) {
                f.seek(lba * 512);
                f.readFully(onDisk);
            }
            assertThat(onDisk).isEqualTo(data);
        }
    }
}
