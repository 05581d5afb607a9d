package io.xtarget.scsi.copy;

import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.CopyReachability;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import io.xtarget.testing.HeapStore;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds LUs, targets and EXTENDED COPY parameter lists the way libiscsi's helpers do. */
final class CopyFixture {
    static final String INITIATOR = "iqn.2026-01.test:host";

    final CopyCommandSet copy;
    final OpcodeTable table;
    ScsiCore core;
    /** The rule the fabric hands the core with each nexus (the iSCSI fabric's judges CHAP). */
    CopyReachability copyReachability = CopyReachability.BY_ACL;

    CopyFixture() {
        this(new CopyCommandSet(CopyLimits.DEFAULT, new CopyEngine(4096, 64 * 4096)));
    }

    CopyFixture(CopyCommandSet copy) {
        this.copy = copy;
        this.table = OpcodeTable.builder().addAll(copy).build();
    }

    static LogicalUnit lu(String name, int blockSize, long blocks, int naaTail) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[1] = 0x01;
        naa[15] = (byte) naaTail;
        naa[14] = (byte) (naaTail >>> 8);
        return new LogicalUnit(name, new HeapStore(blockSize, blocks), naa, "SN" + naaTail, false);
    }

    static HeapStore heap(LogicalUnit lu) {
        return (HeapStore) lu.store();
    }

    static void fill(LogicalUnit lu, long seed) {
        byte[] b = heap(lu).bytes();
        java.util.Random r = new java.util.Random(seed);
        r.nextBytes(b);
    }

    static Target target(String name, int portId, LunMap forInitiator, CopyAccessPolicy policy) {
        TargetPort port = IscsiPorts.targetPort(name, 1, portId, 1, "127.0.0.1:3260");
        return new Target(name, List.of(port), null, Map.of(INITIATOR, forInitiator), policy);
    }

    static LunMap map(LunMapping... m) {
        return LunMap.of(List.of(m));
    }

    void targets(Target... targets) {
        core = new ScsiCore(table, List.of(targets));
    }

    Nexus nexus(Target t, long isid) {
        return new Nexus(IscsiPorts.initiatorPort(INITIATOR, isid), t.ports().get(0), copyReachability);
    }

    ScsiTask task(Target t, long isid, int lun, Cdb cdb, byte[] dataOut) {
        return new ScsiTask(core, nexus(t, isid), t.lunMapFor(INITIATOR), lun, cdb,
                dataOut == null ? null : ByteBuffer.wrap(dataOut), 1);
    }

    ScsiResult xcopy(Target t, int lun, byte[] params) {
        return core.execute(task(t, 1, lun, xcopyCdb(params.length), params));
    }

    static Cdb xcopyCdb(long length) {
        return Cdb.of(0x83, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, (int) (length >>> 24), (int) (length >>> 16),
                (int) (length >>> 8), (int) length, 0, 0);
    }

    static Cdb rcrCdb(int sa, int listId, int alloc) {
        return Cdb.of(0x84, sa, listId, 0, 0, 0, 0, 0, 0, 0, alloc >>> 24, alloc >>> 16, alloc >>> 8, alloc, 0, 0);
    }

    ScsiResult rcr(Target t, int lun, int sa, int listId) {
        return core.execute(task(t, 1, lun, rcrCdb(sa, listId, 1024), null));
    }

    static byte[] bytes(ScsiResult r) {
        ByteBuffer b = r.data().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    // ---- parameter list builder (byte layouts of SPC-4 6.4.3, 6.4.5.6, 6.4.6.5) ----

    static final class Params {
        int listId = 1;
        int usage = 0;
        final List<byte[]> cscds = new ArrayList<>();
        final List<byte[]> segments = new ArrayList<>();

        Params listId(int id, int usage) {
            this.listId = id;
            this.usage = usage;
            return this;
        }

        Params cscd(LogicalUnit lu) {
            return cscd(lu.naa(), 16, lu.blockSize());
        }

        Params cscd(byte[] naa, int designatorLength, int blockLength) {
            byte[] d = new byte[32];
            d[0] = (byte) 0xE4;
            d[4] = 0x01; // binary
            d[5] = 0x03; // association LU, type NAA
            d[7] = (byte) designatorLength;
            System.arraycopy(naa, 0, d, 8, Math.min(naa.length, 20));
            d[29] = (byte) (blockLength >>> 16);
            d[30] = (byte) (blockLength >>> 8);
            d[31] = (byte) blockLength;
            cscds.add(d);
            return this;
        }

        Params raw(byte[] cscd) {
            cscds.add(cscd);
            return this;
        }

        Params b2b(int src, int dst, int blocks, long srcLba, long dstLba) {
            return b2b(false, src, dst, blocks, srcLba, dstLba);
        }

        Params b2b(boolean dc, int src, int dst, int blocks, long srcLba, long dstLba) {
            byte[] s = new byte[28];
            s[0] = 0x02;
            s[1] = (byte) (dc ? 2 : 0);
            s[3] = 0x18;
            s[4] = (byte) (src >>> 8);
            s[5] = (byte) src;
            s[6] = (byte) (dst >>> 8);
            s[7] = (byte) dst;
            s[10] = (byte) (blocks >>> 8);
            s[11] = (byte) blocks;
            putLong(s, 12, srcLba);
            putLong(s, 20, dstLba);
            segments.add(s);
            return this;
        }

        Params bytes(int src, int dst, long count, long srcLba, int srcOff, long dstLba, int dstOff) {
            byte[] s = new byte[32];
            s[0] = 0x0A;
            s[3] = 0x1C;
            s[5] = (byte) src;
            s[7] = (byte) dst;
            s[8] = (byte) (count >>> 24);
            s[9] = (byte) (count >>> 16);
            s[10] = (byte) (count >>> 8);
            s[11] = (byte) count;
            putLong(s, 12, srcLba);
            putLong(s, 20, dstLba);
            s[28] = (byte) (srcOff >>> 8);
            s[29] = (byte) srcOff;
            s[30] = (byte) (dstOff >>> 8);
            s[31] = (byte) dstOff;
            segments.add(s);
            return this;
        }

        Params segment(byte[] s) {
            segments.add(s);
            return this;
        }

        byte[] build() {
            ByteArrayOutputStream c = new ByteArrayOutputStream();
            cscds.forEach(c::writeBytes);
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            segments.forEach(s::writeBytes);
            byte[] h = new byte[16];
            h[0] = (byte) listId;
            h[1] = (byte) (usage << 3);
            h[2] = (byte) (c.size() >>> 8);
            h[3] = (byte) c.size();
            h[10] = (byte) (s.size() >>> 8);
            h[11] = (byte) s.size();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(h);
            all.writeBytes(c.toByteArray());
            all.writeBytes(s.toByteArray());
            return all.toByteArray();
        }

        private static void putLong(byte[] b, int off, long v) {
            for (int i = 0; i < 8; i++) {
                b[off + i] = (byte) (v >>> (56 - 8 * i));
            }
        }
    }
}
