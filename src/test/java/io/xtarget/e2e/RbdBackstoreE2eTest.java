package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.backend.rbd.RbdImageSpec;
import io.xtarget.backend.rbd.RbdStore;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.SenseData;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * RBD backstores served over iSCSI, on the Ceph test cluster (skipped without Ceph): the data
 * path, WRITE SAME, UNMAP and GET LBA STATUS on librbd's own operations, COMPARE AND WRITE that
 * holds across two gateways of one image, EXTENDED COPY between an RBD LU and a RAM LU, and the
 * missing-image rule (NOT READY, never an empty image under the old identity).
 */
@Timeout(180)
class RbdBackstoreE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:rbd";
    static final String INITIATOR = "iqn.2026-11.io.xtarget:e2e-rbd";
    static final int RBD512 = 0;
    static final int RBD4K = 1;
    static final int RAM = 2;

    @TempDir
    Path dir;

    static BackstoreConfig rbd(String name, RbdImageSpec spec, Long size, int blockSize) {
        return new BackstoreConfig(name, BackstoreType.RBD, null, size, blockSize, null, null, false, null, null, 0,
                spec);
    }

    E2eServer start(Path where, RbdImageSpec a, RbdImageSpec b) throws Exception {
        return E2eServer.builder(where).backstore(rbd("vm512", a, 64 * MIB, 512))
                .backstore(rbd("vm4k", b, 64 * MIB, 4096)).ram("ram", 64 * MIB, 512)
                .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(RBD512, "vm512"), rw(RBD4K, "vm4k"),
                        rw(RAM, "ram")))
                .start();
    }

    static byte[] cdb16(int op, long lba, int blocks, int flags) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) op).put(1, (byte) flags).putLong(2, lba).putInt(10, blocks);
        return c.array();
    }

    static CommandResult run(IscsiSession s, int lun, byte[] cdb, byte[] out, int in) throws Exception {
        return Scsi.run(s, lun, cdb, out == null ? null : ByteBuffer.wrap(out), in);
    }

    static void good(CommandResult r) {
        assertThat(r.status()).as("%s", r).isZero();
    }

    static byte[] readFromCluster(RbdImageSpec spec, long offset, int n) throws Exception {
        try (RbdStore other = RbdStore.open(spec, 512, 0, false)) { // a second librbd client
            ByteBuffer b = ByteBuffer.allocateDirect(n);
            other.read(offset, b);
            byte[] out = new byte[n];
            b.flip().get(out);
            return out;
        }
    }

    @Test
    void dataPathAndProvisioningUseLibrbd() throws Exception {
        RbdImageSpec a = CephTestCluster.newImage("e2e512");
        try (E2eServer server = start(dir, a, CephTestCluster.newImage("e2e4k"));
                IscsiSession s = Scsi.open(server.url(0), Scsi.options(INITIATOR))) {
            assertThat(server.server().units().getFirst().store().kind()).isEqualTo("rbd");
            assertThat(Scsi.capacity(s, RBD512)).containsExactly(64 * MIB / 512, 512);
            assertThat(Scsi.capacity(s, RBD4K)).containsExactly(64 * MIB / 4096, 4096);
            byte[] rc16 = Scsi.good(s, RBD512, Scsi.readCapacity16(), null, 32);
            assertThat(rc16[14] & 0xC0).as("LBPME, LBPRZ").isEqualTo(0xC0);
            byte[] b2 = Scsi.good(s, RBD512, Scsi.vpd(0xB2, 64), null, 64);
            assertThat(b2[5] & 0xE0).as("LBPU, LBPWS, LBPWS10").isEqualTo(0xE0);

            byte[] data = Scsi.random((int) MIB, 1);
            Scsi.write(s, RBD512, 2048, data, 512);
            good(run(s, RBD512, cdb16(0x8A, 4096, 8, 0x08), Scsi.random(4096, 2), 0)); // WRITE(16) FUA
            good(run(s, RBD512, new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}, null, 0)); // SYNCHRONIZE CACHE(10)
            assertThat(Scsi.read(s, RBD512, 2048, data.length, 512)).isEqualTo(data);
            assertThat(readFromCluster(a, 2048 * 512, data.length)).isEqualTo(data);
            assertThat(readFromCluster(a, 4096 * 512, 4096)).isEqualTo(Scsi.random(4096, 2));

            // WRITE SAME(16): 9 MiB of one block, through rbd_aio_writesame
            byte[] block = Scsi.random(512, 3);
            good(run(s, RBD512, cdb16(0x93, 16384, 9 * 2048, 0), block, 0));
            byte[] back = readFromCluster(a, 16384L * 512, 9 * (int) MIB);
            for (int i = 0; i < back.length; i += 512) {
                assertThat(java.util.Arrays.copyOfRange(back, i, i + 512)).as("block %d", i / 512).isEqualTo(block);
            }

            // UNMAP one whole object (4 MiB at LBA 16384 = 8 MiB): zeros, and GET LBA STATUS says deallocated
            byte[] list = new byte[24];
            ByteBuffer.wrap(list).putShort(0, (short) 22).putShort(2, (short) 16).putLong(8, 16384).putInt(16, 8192);
            good(run(s, RBD512, new byte[] {0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0}, list, 0));
            assertThat(Scsi.read(s, RBD512, 16384, 4 * (int) MIB, 512)).containsOnly(0);
            byte[] gls = new byte[16];
            ByteBuffer.wrap(gls).put(0, (byte) 0x9E).put(1, (byte) 0x12).putLong(2, 16384).putInt(10, 64);
            ByteBuffer st = ByteBuffer.wrap(Scsi.good(s, RBD512, gls, null, 64));
            assertThat(st.getLong(8)).isEqualTo(16384);
            assertThat(st.get(8 + 12) & 0x0F).as("deallocated").isEqualTo(1);
            assertThat(st.getInt(8 + 8)).isEqualTo(8192);
            ByteBuffer.wrap(gls).putLong(2, 16384 + 8192); // the next object holds the rest of the WRITE SAME
            st = ByteBuffer.wrap(Scsi.good(s, RBD512, gls, null, 64));
            assertThat(st.get(8 + 12) & 0x0F).as("mapped").isEqualTo(0);
        }
    }

    /**
     * Two servers serve one image (two gateways). Each runs COMPARE AND WRITE increments of a
     * counter in block 0 (read, then compare old and write old + 1, again on MISCOMPARE). Had
     * either compared under its own locks only, increments of the other would be lost; the
     * cluster's compare and write loses none: the counter ends at the number of GOOD answers.
     */
    @Test
    void compareAndWriteHoldsAcrossTwoGateways() throws Exception {
        RbdImageSpec shared = CephTestCluster.newImage("caw");
        Path d1 = dir.resolve("gw1");
        Path d2 = dir.resolve("gw2");
        java.nio.file.Files.createDirectories(d1);
        java.nio.file.Files.createDirectories(d2);
        try (E2eServer g1 = start(d1, shared, CephTestCluster.newImage("x1"));
                E2eServer g2 = start(d2, shared, CephTestCluster.newImage("x2"));
                IscsiSession s1 = Scsi.open(g1.url(0), Scsi.options(INITIATOR));
                IscsiSession s2 = Scsi.open(g2.url(0), Scsi.options(INITIATOR + "2"))) {
            Scsi.clearUnitAttentions(s1, RBD512);
            Scsi.clearUnitAttentions(s2, RBD512);
            // a miscompare names the first differing byte
            Scsi.write(s1, RBD512, 0, new byte[512], 512);
            byte[] wrong = new byte[1024];
            wrong[77] = 1;
            CommandResult r = run(s1, RBD512, cawCdb(0), wrong, 0);
            SenseData sd = Scsi.sense(r);
            assertThat(sd.senseKey()).isEqualTo(0x0E);
            assertThat(sd.asc()).isEqualTo(0x1D);
            assertThat(sd.information()).isEqualTo(77);
            int rounds = 60;
            var f1 = java.util.concurrent.CompletableFuture.supplyAsync(() -> increments(s1, rounds));
            var f2 = java.util.concurrent.CompletableFuture.supplyAsync(() -> increments(s2, rounds));
            int done = f1.get(150, TimeUnit.SECONDS) + f2.get(150, TimeUnit.SECONDS);
            assertThat(done).isEqualTo(2 * rounds);
            long counter = ByteBuffer.wrap(Scsi.read(s1, RBD512, 0, 512, 512)).getLong(0);
            assertThat(counter).isEqualTo(done);
        }
    }

    static byte[] cawCdb(long lba) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x89).putLong(2, lba).put(13, (byte) 1);
        return c.array();
    }

    /** {@code rounds} successful increments of the counter in block 0 by COMPARE AND WRITE. */
    static int increments(IscsiSession s, int rounds) {
        try {
            int good = 0;
            while (good < rounds) {
                byte[] old = Scsi.read(s, RBD512, 0, 512, 512);
                byte[] both = new byte[1024];
                System.arraycopy(old, 0, both, 0, 512);
                ByteBuffer.wrap(both).putLong(512, ByteBuffer.wrap(old).getLong(0) + 1);
                CommandResult r = run(s, RBD512, cawCdb(0), both, 0);
                if (r.status() == 0) {
                    good++;
                } else {
                    assertThat(Scsi.sense(r).senseKey()).as("%s", r).isEqualTo(0x0E);
                }
            }
            return good;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** EXTENDED COPY(LID1), one 02h segment, between the RBD LU and the RAM LU, both ways (the copy engine reads and writes). */
    @Test
    void extendedCopyBetweenRbdAndRam() throws Exception {
        try (E2eServer server = start(dir, CephTestCluster.newImage("xc"), CephTestCluster.newImage("xc4k"));
                IscsiSession s = Scsi.open(server.url(0), Scsi.options(INITIATOR))) {
            byte[] data = Scsi.random(3 * (int) MIB, 5);
            Scsi.write(s, RAM, 100, data, 512);
            byte[] push = xcopy(s, RAM, RBD512, data.length / 512, 100, 5000);
            good(run(s, RAM, xcopyCdb(push.length), push, 0));
            assertThat(Scsi.read(s, RBD512, 5000, data.length, 512)).isEqualTo(data);
            byte[] back = xcopy(s, RBD512, RAM, data.length / 512, 5000, 9000);
            good(run(s, RBD512, xcopyCdb(back.length), back, 0));
            assertThat(Scsi.read(s, RAM, 9000, data.length, 512)).isEqualTo(data);
        }
    }

    static byte[] xcopyCdb(int length) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) 0x83).putInt(10, length);
        return c.array();
    }

    /** A parameter list: two E4h CSCDs (the LUs' NAA designators), one block-to-block segment. */
    static byte[] xcopy(IscsiSession s, int src, int dst, int blocks, long srcLba, long dstLba) throws Exception {
        ByteBuffer p = ByteBuffer.allocate(16 + 64 + 28);
        p.put(1, (byte) 0x18).putShort(2, (short) 64).putInt(8, 28); // list ID 0 with usage 11b: none held
        int at = 16;
        for (int lun : new int[] {src, dst}) {
            byte[] naa = naa(Scsi.good(s, lun, Scsi.vpd(0x83, 255), null, 255));
            p.put(at, (byte) 0xE4).put(at + 4, (byte) 0x01).put(at + 5, (byte) 0x03).put(at + 7, (byte) naa.length);
            p.put(at + 8, naa).put(at + 30, (byte) 0x02); // disk block length 512
            at += 32;
        }
        p.put(at, (byte) 0x02).putShort(at + 2, (short) 0x18).putShort(at + 4, (short) 0).putShort(at + 6, (short) 1)
                .putShort(at + 10, (short) blocks).putLong(at + 12, srcLba).putLong(at + 20, dstLba);
        return p.array();
    }

    static byte[] naa(byte[] page83) {
        for (int off = 4; off + 4 <= page83.length; off += 4 + (page83[off + 3] & 0xFF)) {
            if ((page83[off + 1] & 0x3F) == 0x03) {
                return java.util.Arrays.copyOfRange(page83, off + 4, off + 4 + (page83[off + 3] & 0xFF));
            }
        }
        throw new AssertionError("no NAA designator");
    }

    /**
     * An image removed behind a known backstore's back is not created again: its LU answers NOT
     * READY 04h/03h while the others serve; once it is back, a reload serves it (28h/00h first).
     */
    @Test
    void missingImageIsNotReadyUntilItIsBack() throws Exception {
        RbdImageSpec a = CephTestCluster.newImage("gone");
        try (E2eServer server = start(dir, a, CephTestCluster.newImage("stays"))) {
            server.stop();
            rbdCli("rm", a.pool() + "/" + a.image());
            server.restart();
            assertThat(server.server().units().getFirst().missingImage()).isEqualTo(a.toString());
            try (IscsiSession s = Scsi.open(server.url(0), Scsi.options(INITIATOR))) {
                SenseData sd = Scsi.sense(Scsi.run(s, RBD512, Scsi.testUnitReady(), null, 0));
                assertThat(List.of(sd.senseKey(), sd.asc(), sd.ascq())).containsExactly(2, 4, 3);
                Scsi.clearUnitAttentions(s, RAM);
                Scsi.clearUnitAttentions(s, RBD4K);
                try (RbdStore back = RbdStore.open(a, 512, 64 * MIB, true)) {
                    back.write(0, ByteBuffer.wrap(Scsi.random(512, 9)), false);
                }
                server.server().reload(server.config());
                CommandResult r = Scsi.run(s, RBD512, Scsi.read10(0, 1), null, 512);
                good(r);
                assertThat(r.dataBytes()).isEqualTo(Scsi.random(512, 9));
                assertThat(server.server().units().getFirst().store()).isInstanceOf(RbdStore.class);
            }
        }
    }

    static void rbdCli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("rbd", "-c", CephTestCluster.conf().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
