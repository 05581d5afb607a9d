package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.config.ConfigParser;
import io.xtarget.config.ImageCreation;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.SenseData;
import io.xtarget.iscsi.IscsiServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two xtarget servers (gateways) export one RBD image as one LU over iSCSI, each with its own
 * portal and target port group: RTPG through either shows the lock owner's group
 * active/optimized and the other's active/non-optimized; when the owner shuts down, the other
 * takes the lock and its initiator sees 2Ah/06h and an RTPG with its own group optimized.
 */
class GatewayEndToEndTest {
    private static final String IQN = "iqn.2026-11.io.xtarget:gw";
    private static final byte[] RTPG = {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

    @TempDir
    Path dir;

    static String config(String conf, String image, int group, int peer) {
        return """
                {"backstores": [{"name": "vm", "type": "rbd", "pool": "rbd", "image": "%s", "size": "64M",
                    "cephConf": "%s", "naa": "6001405a1b2c3d4e5f60718293a4b5c6", "serial": "alua-e2e-1"}],
                 "targets": [{"name": "%s", "portals": ["127.0.0.1:0"], "luns": [{"lun": 0, "backstore": "vm"}]}],
                 "gateway": {"group": %d, "firstRelativePort": %d, "peers": [{"group": %d, "relativePorts": [%d]}]}}
                """.formatted(image, conf, IQN, group, group, peer, peer);
    }

    static IscsiSession open(XtargetServer s, String initiator) throws IOException {
        String url = "iscsi://127.0.0.1:" + s.boundAddresses().getFirst().getPort() + "/" + IQN + "/0";
        return IscsiSession.open(IscsiUrl.parse(url), InitiatorOptions.defaults().withInitiatorName(initiator));
    }

    static String sense(CommandResult r) {
        return r.senseData().map(d -> String.format("%x/%02x/%02x", d.senseKey(), d.asc(), d.ascq())).orElse("none");
    }

    /** RTPG, past the unit attentions a new nexus sees first (POWER ON). */
    static String rtpg(IscsiSession s) throws IOException {
        CommandResult r = s.execute(0, RTPG, null, 256);
        for (int i = 0; i < 3 && r.senseData().map(SenseData::senseKey).orElse(-1) == 6; i++) {
            r = s.execute(0, RTPG, null, 256);
        }
        assertThat(r.status()).isZero();
        return HexFormat.of().formatHex(r.dataBytes());
    }

    @Test
    void theLockOwnerIsOptimizedAndTheOtherTakesOverWhenItShutsDown() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("alua-e2e");
        XtargetServer a = XtargetServer.start(ConfigParser.parse(config(conf, image, 1, 2)), dir,
                IscsiServer.Options.defaults(), (n, st) -> st, ImageCreation.recreating(List.of("vm")));
        XtargetServer b = null;
        try {
            b = XtargetServer.start(ConfigParser.parse(config(conf, image, 2, 1)), dir, IscsiServer.Options.defaults());
            String aOptimized = "00000018" + "000300010000000100000001" + "010300020000000100000002";
            try (IscsiSession sa = open(a, "iqn.2026-11.org.example:ha");
                    IscsiSession sb = open(b, "iqn.2026-11.org.example:hb")) {
                assertThat(rtpg(sa)).isEqualTo(aOptimized);
                assertThat(rtpg(sb)).isEqualTo(aOptimized);
                sa.close();
                long t0 = System.nanoTime();
                a.close();
                a = null;
                CommandResult tur;
                do {
                    Thread.sleep(20);
                    tur = sb.execute(0, new byte[] {0, 0, 0, 0, 0, 0}, null, 0);
                } while (tur.status() == 0 && System.nanoTime() - t0 < 30_000_000_000L);
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf("ALUA e2e: gateway b's initiator saw %s %.0f ms after gateway a began shutting down%n",
                        sense(tur), ms);
                assertThat(sense(tur)).isEqualTo("6/2a/06");
                assertThat(rtpg(sb)).isEqualTo("00000018" + "010300010000000100000001" + "000300020000000100000002");
            }
        } finally {
            if (b != null) {
                b.close();
            }
            if (a != null) {
                a.close();
            }
        }
    }
}
