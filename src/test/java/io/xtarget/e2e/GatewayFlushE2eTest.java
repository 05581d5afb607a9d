package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.IscsiSession;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SYNCHRONIZE CACHE through the gateway that does not own the RBD image (Linux sends one when it
 * closes that path's device): librbd refuses a non-owner's flush (EROFS), but the gateway has
 * nothing to flush (no write cache, no write in flight without the lock), so the answer is GOOD
 * and the LU stays healthy; and a flush through a fenced gateway never fails its LU either.
 * Skipped without Ceph ({@link CephTestCluster}).
 */
@Timeout(120)
class GatewayFlushE2eTest {
    private static final byte[] SYNCHRONIZE_CACHE_10 = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path dir;

    @Test
    void aFlushThroughTheNonOwnerIsGoodAndFailsNothing() throws Exception {
        String conf = CephTestCluster.conf().toString();
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, CephTestCluster.imageName("flush-e2e"));
        try (ServeProcess one = gw[0];
                ServeProcess two = gw[1];
                IscsiSession s1 = GatewayProcesses.open(one, "iqn.2026-11.org.example:host");
                IscsiSession s2 = GatewayProcesses.open(two, "iqn.2026-11.org.example:host")) {
            Scsi.write(s1, 0, 0, Scsi.random(4096, 1), 512);
            assertThat(GatewayProcesses.outcome(Scsi.run(s2, 0, SYNCHRONIZE_CACHE_10, null, 0)))
                    .as("flush through the non-owner").isEqualTo("GOOD");
            assertThat(GatewayProcesses.state(s2, 2)).as("a flush does not move the image").isEqualTo(1);

            Scsi.write(s2, 0, 0, Scsi.random(4096, 2), 512); // takes the image over, fencing gateway 1
            String fenced = GatewayProcesses.outcome(Scsi.run(s1, 0, SYNCHRONIZE_CACHE_10, null, 0));
            assertThat(fenced).as("flush through the fenced gateway").isIn("GOOD", "2/04/0a");
            assertThat(one.log()).doesNotContain("is now FAILED");
            assertThat(two.log()).doesNotContain("is now FAILED");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (GatewayProcesses.state(s1, 1) != 1 && System.nanoTime() < deadline) {
                Thread.sleep(50); // gateway 1 notices the fence and reopens the image
            }
            assertThat(Scsi.read(s1, 0, 0, 4096, 512)).as("gateway 1 serves again").isEqualTo(Scsi.random(4096, 2));
            assertThat(one.log()).doesNotContain("is now FAILED");
        }
    }
}
