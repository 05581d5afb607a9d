package io.xtarget.scsi.spc;

import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.CommandSet;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import io.xtarget.testing.HeapStore;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A ScsiCore with the SPC command set, one 1 MiB LU (512-byte blocks) at LUN 0, a read-only
 * mapping of the same LU at LUN 1, two initiators (A and B) and stand-in READ (28h) / WRITE (2Ah)
 * rows that only exercise the core's reservation and write-protect checks.
 */
public final class CoreFixture {
    public static final byte[] NAA = {0x60, 0x01, 0x40, 0x50, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88,
            (byte) 0x99, (byte) 0xAA, (byte) 0xBB, (byte) 0xCC};

    public final HeapStore store = new HeapStore(512, 2048);
    public final LogicalUnit lu = new LogicalUnit("disk0", store, NAA, "SN0001", false);
    public final TargetPort port = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:t1", 1, 1, 1, "127.0.0.1:3260");
    public final TargetPort otherPort = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:t2", 1, 2, 1, "127.0.0.1:3260");
    public final TargetPort thirdPort = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:t2", 2, 3, 7, "127.0.0.2:3260");
    public final LunMap lunMap = LunMap.of(List.of(new LunMapping(0, lu, false), new LunMapping(1, lu, true)));
    public final Nexus a = IscsiPorts.nexus("iqn.2026-01.org.example:a", 0x400001370000L, port);
    public final Nexus b = IscsiPorts.nexus("iqn.2026-01.org.example:b", 0x400001370001L, port);
    public final ScsiCore core;

    /** Test-only rows: READ(10) and WRITE(10) that do nothing but pass the core's checks. */
    static final CommandSet STAND_INS = table -> {
        table.add(new CommandDescriptor(0x28, -1, "READ(10)", MediumAccess.READ, Set.of(), new byte[] {0x28},
                task -> ScsiResult.good()));
        table.add(new CommandDescriptor(0x2A, -1, "WRITE(10)", MediumAccess.WRITE, Set.of(), new byte[] {0x2A},
                task -> ScsiResult.good()));
    };

    public CoreFixture(CommandSet... extra) {
        OpcodeTable.Builder b = OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(STAND_INS);
        for (CommandSet s : extra) {
            b.addAll(s);
        }
        Target t1 = new Target(port.targetName(), List.of(port), lunMap, Map.of(), CopyAccessPolicy.INITIATOR);
        Target t2 = new Target(otherPort.targetName(), List.of(otherPort, thirdPort), lunMap, Map.of(),
                CopyAccessPolicy.INITIATOR);
        core = new ScsiCore(b.build(), List.of(t1, t2));
        core.nexusFormed(a, lunMap);
        core.nexusFormed(this.b, lunMap);
    }

    public ScsiResult run(Nexus nexus, int lun, int[] cdb, byte[] dataOut) {
        ScsiTask task = new ScsiTask(core, nexus, lunMap, lun, Cdb.of(cdb), dataOut == null ? null : ByteBuffer.wrap(dataOut), 1);
        return core.execute(task);
    }

    public ScsiResult run(Nexus nexus, int... cdb) {
        return run(nexus, 0, cdb, null);
    }

    /** The data-in bytes of a result (empty when none). */
    public static byte[] data(ScsiResult r) {
        if (r.data() == null) {
            return new byte[0];
        }
        ByteBuffer d = r.data().duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    public static byte[] hex(String s) {
        return java.util.HexFormat.of().parseHex(s.replace(" ", ""));
    }

    public static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }
}
