package io.xtarget.server;

import static io.xtarget.server.GatewayEndToEndTest.config;
import static io.xtarget.server.GatewayEndToEndTest.open;
import static io.xtarget.server.GatewayEndToEndTest.sense;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.config.ConfigParser;
import io.xtarget.config.ImageCreation;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.IscsiServer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reservations across two gateways of one RBD image (two servers, one initiator each): host A
 * registers and reserves through gateway 1, host B through gateway 2 gets RESERVATION CONFLICT,
 * preempts A, and A's nexus on gateway 1 gets REGISTRATIONS PREEMPTED; CLEAR through one gateway
 * gives the other's registrant RESERVATIONS PREEMPTED; a restarted gateway finds the state.
 */
class GatewayReservationEndToEndTest {
    private static final long KEY_A = 0xAAAA_0001L;
    private static final long KEY_B = 0xBBBB_0002L;
    private static final byte[] TUR = new byte[6];
    private static final byte[] WRITE_1 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    private static final byte[] READ_1 = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};

    @TempDir
    Path dir;

    static byte[] prout(int sa, int type) {
        return new byte[] {0x5F, (byte) sa, (byte) type, 0, 0, 0, 0, 0, 24, 0};
    }

    static CommandResult prout(IscsiSession s, int sa, int type, long key, long saKey, boolean aptpl)
            throws IOException {
        ByteBuffer p = ByteBuffer.allocate(24).putLong(key).putLong(saKey);
        p.put(20, (byte) (aptpl ? 1 : 0));
        return s.execute(0, prout(sa, type), p.rewind(), 0);
    }

    static String prin(IscsiSession s, int sa) throws IOException {
        CommandResult r = s.execute(0, new byte[] {0x5E, (byte) sa, 0, 0, 0, 0, 0, 4, 0, 0}, null, 1024);
        assertThat(r.status()).isZero();
        return HexFormat.of().formatHex(r.dataBytes());
    }

    /** TEST UNIT READY until the POWER ON attention a new nexus sees first is gone. */
    static void settle(IscsiSession s) throws IOException {
        for (int i = 0; i < 4 && s.execute(0, TUR, null, 0).status() != 0; i++) {
            // each call takes one pending unit attention
        }
    }

    static String key(long k) {
        return String.format("%016x", k);
    }

    @Test
    void aReservationThroughOneGatewayHoldsOnTheOtherAndPreemptReachesBack() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("pr-e2e");
        XtargetServer g1 = XtargetServer.start(ConfigParser.parse(config(conf, image, 1, 2)), dir,
                IscsiServer.Options.defaults(), (n, st) -> st, ImageCreation.recreating(List.of("vm")));
        XtargetServer g2 = XtargetServer.start(ConfigParser.parse(config(conf, image, 2, 1)), dir,
                IscsiServer.Options.defaults());
        try (IscsiSession a = open(g1, "iqn.2026-11.org.example:ha");
                IscsiSession b = open(g2, "iqn.2026-11.org.example:hb")) {
            settle(a);
            settle(b);
            assertThat(prout(a, 0, 0, 0, KEY_A, false).status()).isZero(); // REGISTER
            assertThat(prout(a, 1, 1, KEY_A, 0, false).status()).isZero(); // RESERVE, write exclusive

            CommandResult blocked = b.execute(0, WRITE_1, ByteBuffer.allocate(512), 0);
            assertThat(blocked.status()).isEqualTo(CommandResult.RESERVATION_CONFLICT);
            assertThat(b.execute(0, READ_1, null, 512).status()).isZero(); // write exclusive lets reads through
            assertThat(prin(b, 1)).isEqualTo("00000001" + "00000010" + key(KEY_A) + "00000000" + "00" + "01" + "0000");

            // what a change costs: read, compare-and-swap, notify and the other gateway's re-read
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(prout(b, 6, 0, 0, KEY_B + (i & 1), false).status()).isZero(); // REGISTER AND IGNORE
            }
            System.out.printf("PR e2e: REGISTER AND IGNORE EXISTING KEY through gateway 2: %.1f ms each%n",
                    (System.nanoTime() - t0) / 20 / 1e6);
            assertThat(prout(b, 6, 0, 0, 0, false).status()).isZero(); // unregister again
            assertThat(prout(b, 0, 0, 0, KEY_B, false).status()).isZero(); // REGISTER through gateway 2
            assertThat(prout(b, 4, 1, KEY_B, KEY_A, false).status()).isZero(); // PREEMPT A
            CommandResult told = a.execute(0, TUR, null, 0);
            assertThat(sense(told)).isEqualTo("6/2a/05"); // REGISTRATIONS PREEMPTED, on gateway 1
            assertThat(a.execute(0, TUR, null, 0).status()).isZero();
            assertThat(a.execute(0, WRITE_1, ByteBuffer.allocate(512), 0).status())
                    .isEqualTo(CommandResult.RESERVATION_CONFLICT);
            // READ FULL STATUS through gateway 1 shows B's registration on gateway 2's port (relative port 2)
            String full = prin(a, 3);
            assertThat(full).startsWith("00000018").contains(key(KEY_B) + "00000000" + "01" + "01" + "00000000" + "0002");

            // CLEAR through gateway 2 tells A's new registration on gateway 1
            assertThat(prout(a, 0, 0, 0, KEY_A, false).status()).isZero();
            assertThat(prout(b, 3, 0, KEY_B, 0, false).status()).isZero();
            assertThat(sense(a.execute(0, TUR, null, 0))).isEqualTo("6/2a/03"); // RESERVATIONS PREEMPTED
            assertThat(prin(a, 0)).isEqualTo("0000001a" + "00000000");
        } finally {
            g2.close();
            g1.close();
        }
    }

    @Test
    void aRestartedGatewayFindsTheRegistrationsAndReportsPersistence() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("pr-e2e");
        XtargetServer g1 = XtargetServer.start(ConfigParser.parse(config(conf, image, 1, 2)), dir,
                IscsiServer.Options.defaults(), (n, st) -> st, ImageCreation.recreating(List.of("vm")));
        try {
            try (IscsiSession a = open(g1, "iqn.2026-11.org.example:ha")) {
                settle(a);
                // PTPL_C: the state lives in the cluster, so APTPL=1 is honoured
                assertThat(prin(a, 2)).isEqualTo("0008" + "1180" + "ea01" + "0000");
                assertThat(prout(a, 0, 0, 0, KEY_A, true).status()).isZero();
                assertThat(prout(a, 1, 3, KEY_A, 0, false).status()).isZero(); // exclusive access
                assertThat(prin(a, 2)).isEqualTo("0008" + "1181" + "ea01" + "0000"); // PTPL_A
            }
            g1.close();
            g1 = XtargetServer.start(ConfigParser.parse(config(conf, image, 1, 2)), dir, IscsiServer.Options.defaults());
            try (IscsiSession a = open(g1, "iqn.2026-11.org.example:ha");
                    IscsiSession c = open(g1, "iqn.2026-11.org.example:hc")) {
                settle(a);
                settle(c);
                assertThat(prin(c, 1)).isEqualTo("00000001" + "00000010" + key(KEY_A) + "00000000" + "00" + "03" + "0000");
                assertThat(c.execute(0, READ_1, null, 512).status()).isEqualTo(CommandResult.RESERVATION_CONFLICT);
                // the test initiator picks a new random ISID per session: a new I_T nexus, not the holder
                assertThat(a.execute(0, READ_1, null, 512).status()).isEqualTo(CommandResult.RESERVATION_CONFLICT);
                assertThat(prin(a, 0)).isEqualTo("00000001" + "00000008" + key(KEY_A));
            }
        } finally {
            g1.close();
        }
    }

    @Test
    void aGatewayWhoseImageComesBackOnReloadJoinsTheSharedState() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("pr-e2e");
        // gateway 1 starts before the image exists (NOT READY, reservations in memory)
        XtargetServer g1 = XtargetServer.start(ConfigParser.parse(config(conf, image, 1, 2)), dir,
                IscsiServer.Options.defaults());
        XtargetServer g2 = null;
        try {
            g2 = XtargetServer.start(ConfigParser.parse(config(conf, image, 2, 1)), dir,
                    IscsiServer.Options.defaults(), (n, st) -> st, ImageCreation.recreating(List.of("vm")));
            try (IscsiSession b = open(g2, "iqn.2026-11.org.example:hb")) {
                settle(b);
                assertThat(prout(b, 0, 0, 0, KEY_B, false).status()).isZero();
            }
            g1.reload(ConfigParser.parse(config(conf, image, 1, 2)));
            try (IscsiSession a = open(g1, "iqn.2026-11.org.example:ha")) {
                settle(a);
                assertThat(prin(a, 0)).isEqualTo("00000001" + "00000008" + key(KEY_B));
            }
        } finally {
            if (g2 != null) {
                g2.close();
            }
            g1.close();
        }
    }
}
