package io.xtarget.server;

import static io.xtarget.server.MetricsEndpointTest.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.backend.SpaceUsage;
import io.xtarget.cli.Cli;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backstore faults in the metrics and in {@code xtarget status}. */
class FaultMetricsTest {
    static final String T = "iqn.2026-11.io.xtarget.metrics:faults";

    @TempDir
    Path dir;

    @Test
    void failedLuFlushFailuresOutOfSpaceWritesAndTheSoftThresholdAreCounted() throws Exception {
        ServerConfig cfg = new ServerConfig(List.of(
                new BackstoreConfig("disk1", BackstoreType.FILE, "disk1.img", 4L << 20, 512, null, null, false, null, 50,
                        0),
                new BackstoreConfig("disk2", BackstoreType.FILE, "disk2.img", 4L << 20, 512, null, null)),
                List.of(new TargetConfig(T, List.of("127.0.0.1:0"), CopyAccessPolicy.INITIATOR,
                        List.of(new LunConfig(0, "disk1", false), new LunConfig(1, "disk2", false)), List.of())));
        Map<String, FaultInjectingStore> faulty = new HashMap<>();
        try (XtargetServer server = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults(), (name, store) -> {
            FaultInjectingStore f = new FaultInjectingStore(store);
            faulty.put(name, f);
            return f;
        })) {
            MetricsEndpoint metrics = server.serveMetrics(new InetSocketAddress("127.0.0.1", 0));
            LogicalUnit disk1 = server.units().getFirst();
            faulty.get("disk1").failFlushes(1).noSpaceFrom(1 << 20)
                    .reportSpace(new SpaceUsage(100L << 20, 10L << 20, 1L << 20));
            assertThatThrownBy(disk1::flush).isInstanceOf(IOException.class);
            faulty.get("disk2").noSpaceFrom(0);
            LogicalUnit disk2 = server.units().get(1);
            assertThatThrownBy(() -> disk2.write(0, ByteBuffer.allocate(512), false)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> disk2.write(0, ByteBuffer.allocate(512), false)).isInstanceOf(IOException.class);
            disk1.provisioning().usage(); // a sample: 90 % used, above 50 %

            String m = MetricsEndpoint.render(server);
            assertThat(value(m, "xtarget_lu_failed{lu=\"disk1\",kind=\"file\"}")).isEqualTo(1);
            assertThat(value(m, "xtarget_lu_failed{lu=\"disk2\",kind=\"file\"}")).isZero();
            assertThat(value(m, "xtarget_lu_flush_failures_total{lu=\"disk1\",kind=\"file\"}")).isEqualTo(1);
            assertThat(value(m, "xtarget_lu_space_allocation_failures_total{lu=\"disk2\",kind=\"file\"}")).isEqualTo(2);
            assertThat(value(m, "xtarget_lu_soft_threshold_reached{lu=\"disk1\",kind=\"file\"}")).isEqualTo(1);
            assertThat(value(m, "xtarget_lu_soft_threshold_reached{lu=\"disk2\",kind=\"file\"}")).isZero();

            Cli.Run status = Cli.run("status", "--metrics", "127.0.0.1:" + metrics.address().getPort());
            assertThat(status.code()).isZero();
            assertThat(status.out())
                    .containsPattern("disk1 +file .*FAILED \\(1 failed flush\\(es\\); xtarget backstore enable NAME, then SIGHUP\\),"
                            + " soft threshold reached")
                    .containsPattern("disk2 +file .* 2 writes out of space");
        }
    }
}
