package io.xtarget.iscsi;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import io.xtarget.testing.HeapStore;
import java.util.List;
import java.util.Map;

/** A fabric on an ephemeral loopback port with one target and one 64 MiB LU, for tests. */
final class FabricFixture implements AutoCloseable {
    static final String IQN = "iqn.2026-11.io.xtarget:test";

    final IscsiServer server;
    final LogicalUnit lu;

    FabricFixture(boolean powerOnAttention) throws Exception {
        this(powerOnAttention, IscsiServer.Options.defaults());
    }

    FabricFixture(boolean powerOnAttention, IscsiServer.Options options) throws Exception {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 1;
        lu = new LogicalUnit("ram0", new HeapStore(512, 131072), naa, "serial0", powerOnAttention);
        TargetPort port = IscsiPorts.targetPort(IQN, 1, 1, 1, "127.0.0.1:0");
        Target t = new Target(IQN, List.of(port), LunMap.of(List.of(new LunMapping(0, lu, false))), Map.of(),
                CopyAccessPolicy.INITIATOR);
        ScsiCore core = new ScsiCore(OpcodeTable.builder().addAll(new MiniCommands()).build(), List.of(t));
        server = new IscsiServer(core, options);
        server.start();
    }

    int port() {
        return server.boundAddresses().get(0).getPort();
    }

    String url(int lun) {
        return "iscsi://127.0.0.1:" + port() + "/" + IQN + "/" + lun;
    }

    @Override
    public void close() {
        server.close();
    }

    /** Runs the fixture as a process, for poking at it with libiscsi tools by hand. */
    public static void main(String[] args) throws Exception {
        FabricFixture f = new FabricFixture(false);
        System.out.println(f.url(0));
        Thread.sleep(Long.MAX_VALUE);
    }
}
