package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.IscsiSession;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LUN reset through one gateway of an RBD image is a reset of the LU, so every I_T nexus of the
 * LU gets LOGICAL UNIT RESET OCCURRED (29h/03h, SAM-5 6.3.3), the nexuses through the other
 * gateway's port included, by the time the reset's response arrives; and the same the other way
 * round. A target warm reset gives them POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29h/00h).
 * Two gateway processes ({@link GatewayProcesses}); skipped without Ceph ({@link CephTestCluster}).
 */
@Timeout(120)
class GatewayResetE2eTest {
    @TempDir
    Path dir;

    private static String tur(IscsiSession s) throws Exception {
        return GatewayProcesses.outcome(s.execute(0, Scsi.testUnitReady(), null, 0));
    }

    @Test
    void aResetThroughOneGatewayReachesTheOthersNexuses() throws Exception {
        String conf = CephTestCluster.conf().toString();
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, CephTestCluster.imageName("reset-e2e"));
        try (ServeProcess one = gw[0];
                ServeProcess two = gw[1];
                IscsiSession s1 = GatewayProcesses.open(one, "iqn.2026-11.org.example:host1");
                IscsiSession s2 = GatewayProcesses.open(two, "iqn.2026-11.org.example:host2")) {
            assertThat(s1.lunReset(0)).as("TMF response").isZero();
            assertThat(tur(s2)).as("gateway 2's nexus after a LUN reset through gateway 1").isEqualTo("6/29/03");
            assertThat(tur(s1)).as("the requester's own nexus").isEqualTo("6/29/03");
            assertThat(tur(s1)).isEqualTo("GOOD");
            assertThat(tur(s2)).isEqualTo("GOOD");

            assertThat(s2.lunReset(0)).isZero();
            assertThat(tur(s1)).as("gateway 1's nexus after a LUN reset through gateway 2").isEqualTo("6/29/03");
            assertThat(tur(s2)).isEqualTo("6/29/03");

            assertThat(s2.targetWarmReset()).isZero();
            assertThat(tur(s1)).as("gateway 1's nexus after a target reset through gateway 2").isEqualTo("6/29/00");
            assertThat(tur(s1)).isEqualTo("GOOD");
        }
    }
}
