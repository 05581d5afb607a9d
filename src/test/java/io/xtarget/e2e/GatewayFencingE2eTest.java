package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing proof with two gateway processes of one RBD image: gateway 1 is the home and holds the
 * image's lock; it is stopped (SIGSTOP) with a write on its way to it; a write through gateway 2
 * asks it for the lock, gets no answer, breaks gateway 1's lock (which blocklists it), takes the
 * lock and the home lease, and is served. Then gateway 1 runs again and
 * gets the late write: it must not land (the OSDs refuse a blocklisted client), it is answered
 * with a retryable sense (NOT READY 04h/0Ah, or the unit attention 2Ah/06h when gateway 1 noticed
 * the takeover first), never MEDIUM ERROR; and gateway 1 ends active/non-optimized, serving
 * reads of gateway 2's data. Skipped without Ceph ({@link CephTestCluster}).
 */
@Timeout(120)
class GatewayFencingE2eTest {
    private static final int BYTES = 4096;

    @TempDir
    Path dir;

    @Test
    void aLateWriteThroughTheFencedGatewayNeverLands() throws Exception {
        String conf = CephTestCluster.conf().toString();
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, CephTestCluster.imageName("fence-e2e"));
        try (ServeProcess one = gw[0];
                ServeProcess two = gw[1];
                IscsiSession s1 = GatewayProcesses.open(one, "iqn.2026-11.org.example:host");
                IscsiSession s2 = GatewayProcesses.open(two, "iqn.2026-11.org.example:host")) {
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 optimized").isZero();
            assertThat(GatewayProcesses.state(s2, 2)).as("gateway 2 non-optimized").isEqualTo(1);
            Scsi.write(s1, 0, 0, Scsi.random(BYTES, 1), 512);

            one.pause();
            CompletableFuture<CommandResult> late = CompletableFuture.supplyAsync(() -> {
                try {
                    return s1.execute(0, Scsi.write10(0, BYTES / 512), ByteBuffer.wrap(Scsi.random(BYTES, 3)), 0);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long t0 = System.nanoTime();
            CommandResult taken = s2.execute(0, Scsi.write10(0, BYTES / 512), ByteBuffer.wrap(Scsi.random(BYTES, 2)), 0);
            double ms = (System.nanoTime() - t0) / 1e6;
            System.out.printf("fencing: the write through gateway 2 took the image over and was answered %s in %.0f ms%n",
                    GatewayProcesses.outcome(taken), ms);
            assertThat(GatewayProcesses.outcome(taken)).isEqualTo("GOOD");

            one.resume();
            CommandResult lateResult = late.get(60, TimeUnit.SECONDS);
            String outcome = GatewayProcesses.outcome(lateResult);
            System.out.printf("fencing: the late write through gateway 1 was answered %s%n", outcome);
            byte[] onImage = Scsi.read(s2, 0, 0, BYTES, 512); // first: did the late write land?
            assertThat(onImage).as("gateway 2's data, not the late write (answered %s); gateway 1's log:%n%s", outcome,
                    one.log()).isEqualTo(Scsi.random(BYTES, 2));
            assertThat(outcome).as("gateway 1's log:%n%s", one.log()).isIn("2/04/0a", "6/2a/06");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // each gateway's next poll of the home lease (every 250 ms) reports the new states
            while ((GatewayProcesses.state(s1, 1) != 1 || GatewayProcesses.state(s2, 2) != 0)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 non-optimized").isEqualTo(1);
            assertThat(GatewayProcesses.state(s1, 2)).as("gateway 2 optimized, seen from gateway 1").isZero();
            assertThat(GatewayProcesses.state(s2, 2)).as("gateway 2 optimized").isZero();
            // while gateway 1 reconnects after the blocklist it answers NOT READY 04h/0Ah, which hosts retry
            CommandResult read = s1.execute(0, Scsi.read10(0, BYTES / 512), null, BYTES);
            while (GatewayProcesses.outcome(read).equals("2/04/0a") && System.nanoTime() < deadline) {
                Thread.sleep(50);
                read = s1.execute(0, Scsi.read10(0, BYTES / 512), null, BYTES);
            }
            assertThat(GatewayProcesses.outcome(read)).isEqualTo("GOOD");
            assertThat(Scsi.read(s1, 0, 0, BYTES, 512)).as("gateway 1 reads again, as a non-home gateway")
                    .isEqualTo(Scsi.random(BYTES, 2));
            System.out.println("fencing: gateway 1's log:\n" + one.log());
        }
    }
}
