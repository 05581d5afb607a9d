package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.IscsiSession;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Explicit ALUA between two gateway processes of one RBD image: INQUIRY reports TPGS 11b; SET
 * TARGET PORT GROUPS asking gateway 1 (the owner) to be active/non-optimized makes it give the
 * image's lock up (rbd_lock_release), and gateway 2 takes the free lock and turns active/optimized;
 * asking gateway 1 to be active/optimized again takes the image back. Skipped without Ceph
 * ({@link CephTestCluster}).
 */
@Timeout(120)
class GatewaySetTargetPortGroupsE2eTest {
    @TempDir
    Path dir;

    private static byte[] stpg(int state, int group) {
        return new byte[] {0, 0, 0, 0, (byte) state, 0, 0, (byte) group};
    }

    private static String send(IscsiSession s, byte[] list) throws Exception {
        byte[] cdb = {(byte) 0xA4, 0x0A, 0, 0, 0, 0, 0, 0, 0, (byte) list.length, 0, 0};
        return GatewayProcesses.outcome(Scsi.run(s, 0, cdb, ByteBuffer.wrap(list), 0));
    }

    /** Waits (bounded) until {@code group} is in {@code state} as seen through {@code s}. */
    private static int awaitState(IscsiSession s, int group, int state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (GatewayProcesses.state(s, group) != state && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return GatewayProcesses.state(s, group);
    }

    @Test
    void setTargetPortGroupsMovesTheImageBetweenTheGateways() throws Exception {
        String conf = CephTestCluster.conf().toString();
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, CephTestCluster.imageName("stpg-e2e"));
        try (ServeProcess one = gw[0];
                ServeProcess two = gw[1];
                IscsiSession s1 = GatewayProcesses.open(one, "iqn.2026-11.org.example:host");
                IscsiSession s2 = GatewayProcesses.open(two, "iqn.2026-11.org.example:host")) {
            byte[] inquiry = Scsi.good(s1, 0, Scsi.inquiry(96), null, 96);
            assertThat(inquiry[5] & 0x30).as("TPGS 11b").isEqualTo(0x30);
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 optimized").isZero();

            assertThat(send(s1, stpg(0x1, 1))).isEqualTo("GOOD");
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 gave the image up").isEqualTo(1);
            assertThat(awaitState(s2, 2, 0)).as("gateway 2 took the free lock").isZero();
            Scsi.write(s2, 0, 0, Scsi.random(4096, 1), 512);
            assertThat(GatewayProcesses.state(s2, 2)).isZero();

            assertThat(send(s1, stpg(0x0, 1))).isEqualTo("GOOD");
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 took the image back").isZero();
            Scsi.write(s1, 0, 0, Scsi.random(4096, 2), 512);
            assertThat(Scsi.read(s1, 0, 0, 4096, 512)).isEqualTo(Scsi.random(4096, 2));
            assertThat(awaitState(s2, 2, 1)).as("gateway 2 non-optimized again").isEqualTo(1);
        }
    }
}
