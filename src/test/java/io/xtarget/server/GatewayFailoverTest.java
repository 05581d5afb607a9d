package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.backend.rbd.RbdImageSpec;
import io.xtarget.backend.rbd.RbdStore;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.spc.SpcCommandSet;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two gateways (two cores, each with its own rados image handle) export one RBD image as one LU:
 * the lock owner is active/optimized, the other active/non-optimized; closing the owner's image
 * (the gateway going away) makes the other optimized, with 2Ah/06h for its initiator.
 */
class GatewayFailoverTest {
    private static final byte[] NAA = HexFormat.of().parseHex("6001405011223344556677889900aabb");
    private static final int[] RTPG = {0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

    /** One gateway: a core with one target (one port, relative port = group id) and one LU. */
    record Gateway(ScsiCore core, LogicalUnit lu, LunMap map, Nexus nexus, Alua alua, GatewayLockWatcher watcher) {
        static Gateway of(int group, int peer, RbdStore store) {
            LogicalUnit lu = new LogicalUnit("disk0", store, NAA, "SNALUA1", false);
            TargetPort port = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:gw", 1, group, group, "127.0.0.1:3260");
            LunMap map = LunMap.of(List.of(new LunMapping(0, lu, false)));
            ScsiCore core = new ScsiCore(OpcodeTable.builder().addAll(new SpcCommandSet()).build(),
                    List.of(new Target(port.targetName(), List.of(port), map, Map.of(), CopyAccessPolicy.INITIATOR)));
            Alua alua = new Alua(List.of(new Alua.PeerGroup(peer, List.of(peer))));
            core.setAlua(alua);
            Nexus nexus = IscsiPorts.nexus("iqn.2026-01.org.example:host", 0x400001370000L, port);
            core.nexusFormed(nexus, map);
            return new Gateway(core, lu, map, nexus, alua, new GatewayLockWatcher(alua, () -> List.of(lu), Duration.ofMillis(100)));
        }

        ScsiResult run(int... cdb) {
            return core.execute(new ScsiTask(core, nexus, map, 0, Cdb.of(cdb), null, 1));
        }

        String rtpg() {
            ByteBuffer d = run(RTPG).data().duplicate();
            byte[] out = new byte[d.remaining()];
            d.get(out);
            return HexFormat.of().formatHex(out);
        }
    }

    @Test
    void theHomeIsOptimizedAndTheOtherGatewayBecomesItWhenItCloses() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("alua");
        RbdStore storeA = RbdStore.open(spec, 512, 64L << 20, true);
        RbdStore storeB = RbdStore.open(spec, 512, 0, false);
        Gateway a = Gateway.of(1, 2, storeA);
        Gateway b = Gateway.of(2, 1, storeB);
        try {
            a.watcher().pollOnce();
            long t0 = System.nanoTime();
            b.watcher().pollOnce();
            System.out.printf("ALUA: a refused lock request took %.1f ms%n", (System.nanoTime() - t0) / 1e6);
            assertThat(a.alua().optimized(a.lu())).isTrue();
            assertThat(b.alua().optimized(b.lu())).isFalse();
            // group 1 (gateway a) optimized, group 2 (gateway b) non-optimized, seen from either
            String expected = "00000018" + "000300010000000100000001" + "010300020000000100000002";
            assertThat(a.rtpg()).isEqualTo(expected);
            assertThat(b.rtpg()).isEqualTo(expected);

            ByteBuffer block = ByteBuffer.allocate(512);
            storeA.write(0, block.duplicate(), false); // the home writes
            storeB.write(0, block.duplicate(), false); // and the other gateway too: the lock is handed over
            a.watcher().pollOnce();
            b.watcher().pollOnce();
            assertThat(a.alua().optimized(a.lu())).as("a write does not move the home").isTrue();
            assertThat(b.alua().optimized(b.lu())).isFalse();
            b.watcher().start();
            long closed = System.nanoTime();
            storeA.close(); // gateway a goes away: it gives its home lease up
            while (!b.alua().optimized(b.lu()) && System.nanoTime() - closed < 30_000_000_000L) {
                Thread.sleep(10);
            }
            double ms = (System.nanoTime() - closed) / 1e6;
            System.out.printf("ALUA: gateway b optimized %.1f ms after gateway a closed the image%n", ms);
            assertThat(b.alua().optimized(b.lu())).isTrue();
            ScsiResult tur = b.run(0x00, 0, 0, 0, 0, 0);
            assertThat(tur.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
            assertThat(tur.sense().asc()).isEqualTo(0x2A);
            assertThat(tur.sense().ascq()).isEqualTo(0x06);
            assertThat(b.rtpg()).isEqualTo("00000018" + "010300010000000100000001" + "000300020000000100000002");
            storeB.write(0, block.duplicate(), false); // and b writes now
        } finally {
            b.watcher().close();
            a.watcher().close();
            storeB.close();
            storeA.close();
        }
    }
}
