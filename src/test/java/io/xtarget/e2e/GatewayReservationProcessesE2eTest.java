package io.xtarget.e2e;

import static io.xtarget.e2e.GatewayProcesses.outcome;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservations across two gateway processes (each its own cluster connections, so the
 * announcements cross processes as in production): host A reserves through gateway 1, host B's
 * write through gateway 2 conflicts, B preempts A and A's nexus on gateway 1 gets REGISTRATIONS
 * PREEMPTED; gateway 1 is killed with SIGKILL (its watch lingers) and B still changes the
 * reservations through gateway 2; gateway 1 started again serves the state B left. Skipped
 * without Ceph ({@link CephTestCluster}).
 */
class GatewayReservationProcessesE2eTest {
    private static final long KEY_A = 0xA1L;
    private static final long KEY_B = 0xB2L;

    @TempDir
    Path dir;

    static CommandResult prout(IscsiSession s, int sa, int type, long key, long saKey) throws Exception {
        return Scsi.run(s, 0, Scsi.persistentReserveOut(sa, type), Scsi.prParameters(key, saKey), 0);
    }

    static String readReservation(IscsiSession s) throws Exception {
        byte[] cdb = {0x5E, 1, 0, 0, 0, 0, 0, 0, 64, 0};
        return HexFormat.of().formatHex(Scsi.good(s, 0, cdb, null, 64));
    }

    @Test
    void preemptCrossesProcessesAndTheStateOutlivesAKilledGateway() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("pr-proc");
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, image);
        ServeProcess restarted = null;
        try (IscsiSession a = GatewayProcesses.open(gw[0], "iqn.2026-11.org.example:pa");
                IscsiSession b = GatewayProcesses.open(gw[1], "iqn.2026-11.org.example:pb")) {
            assertThat(outcome(prout(a, 0, 0, 0, KEY_A))).isEqualTo("GOOD");
            assertThat(outcome(prout(a, 1, 1, KEY_A, 0))).isEqualTo("GOOD"); // write exclusive
            CommandResult w = Scsi.run(b, 0, Scsi.write10(0, 1), ByteBuffer.allocate(512), 0);
            assertThat(w.status()).isEqualTo(CommandResult.RESERVATION_CONFLICT);
            assertThat(outcome(prout(b, 0, 0, 0, KEY_B))).isEqualTo("GOOD");
            assertThat(outcome(prout(b, 4, 3, KEY_B, KEY_A))).isEqualTo("GOOD"); // PREEMPT, exclusive access
            // execute, not Scsi.run: that one steps over unit attentions
            assertThat(outcome(a.execute(0, Scsi.testUnitReady(), null, 0))).isEqualTo("6/2a/05");
            assertThat(Scsi.run(a, 0, Scsi.read10(0, 1), null, 512).status())
                    .isEqualTo(CommandResult.RESERVATION_CONFLICT);

            gw[0].kill();
            // gateway 1's watch lingers until the OSD drops it: the change waits out the notify
            // timeout, and is made all the same
            assertThat(outcome(prout(b, 6, 0, 0, KEY_B + 1))).isEqualTo("GOOD"); // REGISTER AND IGNORE
            restarted = ServeProcess.start(GatewayProcesses.config(dir, conf, image, 1, 2));
            try (IscsiSession c = GatewayProcesses.open(restarted, "iqn.2026-11.org.example:pc")) {
                assertThat(readReservation(c)).isEqualTo(
                        "00000004" + "00000010" + String.format("%016x", KEY_B + 1) + "00000000" + "00" + "03" + "0000");
                assertThat(Scsi.run(c, 0, Scsi.read10(0, 1), null, 512).status())
                        .isEqualTo(CommandResult.RESERVATION_CONFLICT);
            }
        } finally {
            if (restarted != null) {
                restarted.close();
            }
            gw[1].close();
            gw[0].close();
        }
    }
}
