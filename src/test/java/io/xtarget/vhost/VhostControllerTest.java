package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.server.StandardCommands;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller end to end in process: a fake QEMU front-end over the real socket (FFM, SCM_RIGHTS,
 * memfd guest RAM) negotiates, sets up rings and sends virtio-scsi commands to a RAM disk.
 */
class VhostControllerTest {
    static final long FEATURES = VhostUserSession.F_VERSION_1 | VhostUserSession.F_INDIRECT_DESC
            | VhostUserSession.F_EVENT_IDX | VhostUserSession.F_PROTOCOL_FEATURES | 1L << VirtioScsi.F_HOTPLUG;
    static final long PROTOCOL = VhostUserSession.P_MQ | VhostUserSession.P_REPLY_ACK;

    @TempDir
    Path dir;
    ExecutorService workers = Executors.newFixedThreadPool(2);
    CopyCommandSet copy = new CopyCommandSet();
    ScsiCore core = new ScsiCore(StandardCommands.table(copy), List.of());
    LogicalUnit lu;
    LogicalUnit lu2;
    VhostController controller;
    Path socket;

    @BeforeEach
    void start() throws Exception {
        lu = new LogicalUnit("disk1", new RamStore(512, 8L << 20), naa(1), "s1", false);
        lu2 = new LogicalUnit("disk2", new RamStore(512, 1L << 20), naa(2), "s2", false);
        socket = dir.resolve("vm1.sock");
        controller = new VhostController(socket, PosixFilePermissions.fromString("rw-------"), null, 7,
                LunMap.of(List.of(new LunMapping(0, lu, false))), core, workers, 64L << 20);
        controller.start();
    }

    @AfterEach
    void stop() {
        controller.close();
        workers.shutdownNow();
        copy.close();
    }

    static byte[] naa(int n) {
        byte[] b = new byte[16];
        b[0] = 0x60;
        b[15] = (byte) n;
        return b;
    }

    FakeFrontEnd connect() throws Exception {
        FakeFrontEnd fe = new FakeFrontEnd(socket.toString());
        fe.handshake(FEATURES, PROTOCOL);
        fe.ring(0, 8);
        fe.ring(1, 8);
        fe.ring(2, 64);
        return fe;
    }

    static byte[] cdb(int... b) {
        byte[] c = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            c[i] = (byte) b[i];
        }
        return c;
    }

    @Test
    void socketIsCreatedWithMode0600AndRemovedOnClose() throws Exception {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(socket);
        assertThat(PosixFilePermissions.toString(perms)).isEqualTo("rw-------");
        controller.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void negotiatesAndAnswersInquiryWithItsOwnRelativePort() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            assertThat(fe.getU64(VhostUserRequest.GET_FEATURES)).isEqualTo(VhostUserSession.OFFERED_FEATURES);
            assertThat(fe.getU64(VhostUserRequest.GET_PROTOCOL_FEATURES)).isEqualTo(VhostUserSession.OFFERED_PROTOCOL);
            fe.send(VhostUserRequest.SET_PROTOCOL_FEATURES, 0, VhostUserMessage.u64(PROTOCOL));
            assertThat(fe.getU64(VhostUserRequest.GET_QUEUE_NUM)).isEqualTo(2 + VhostConnection.MAX_REQUEST_QUEUES);
            // REPLY_ACK: need_reply gets a zero u64
            fe.send(VhostUserRequest.SET_OWNER, VhostUserMessage.FLAG_NEED_REPLY, new byte[0]);
            assertThat(ByteBuffer.wrap(fe.reply()).order(ByteOrder.LITTLE_ENDIAN).getLong()).isZero();
            ByteBuffer g = ByteBuffer.allocate(12 + 36).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(36).putInt(0);
            fe.send(VhostUserRequest.GET_CONFIG, 0, g.array());
            ByteBuffer cfg = ByteBuffer.wrap(fe.reply()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(cfg.getInt(12)).isEqualTo(VhostConnection.MAX_REQUEST_QUEUES); // num_queues
            assertThat(cfg.getInt(12 + 20)).isEqualTo(96); // sense_size
            assertThat(cfg.getInt(12 + 24)).isEqualTo(32); // cdb_size
            assertThat(cfg.getShort(12 + 30)).isZero(); // max_target
        }
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            VirtioScsiGuest.Response r = g.command(0, cdb(0x12, 0, 0, 0, 96, 0), null, 96);
            assertThat(r.response()).isEqualTo(VirtioScsi.S_OK);
            assertThat(r.status()).isZero();
            assertThat(r.residual()).isZero();
            assertThat(r.usedLen()).isEqualTo(108 + 96);
            r = g.command(0, cdb(0x12, 1, 0x83, 0, 255, 0), null, 255);
            assertThat(r.status()).isZero();
            byte[] vpd = r.dataIn();
            int relPort = -1;
            for (int off = 4; off + 4 <= 4 + ((vpd[2] & 0xFF) << 8 | vpd[3] & 0xFF); off += 4 + (vpd[off + 3] & 0xFF)) {
                if ((vpd[off + 1] & 0x3F) == 0x14) { // association target port, relative port identifier
                    relPort = (vpd[off + 6] & 0xFF) << 8 | vpd[off + 7] & 0xFF;
                }
            }
            assertThat(relPort).isEqualTo(7);
            assertThat(r.residual()).isEqualTo(255 - (4 + ((vpd[2] & 0xFF) << 8 | vpd[3] & 0xFF)));
        }
    }

    @Test
    void writesAndReadsBackThroughScatteredBuffers() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            byte[] data = new byte[64 * 1024];
            new Random(12).nextBytes(data);
            // WRITE(10) LBA 100, 128 blocks, in 4 KiB descriptors (copied), then one piece (zero-copy)
            VirtioScsiGuest.Response w = g.command(0, 0, cdb(0x2A, 0, 0, 0, 0, 100, 0, 0, 128, 0), data, 0, 4096);
            assertThat(w.status()).isZero();
            assertThat(w.residual()).isZero();
            w = g.command(0, 0, cdb(0x2A, 0, 0, 0, 1, 0, 0, 0, 128, 0), data, 0, data.length);
            assertThat(w.status()).isZero();
            for (int lba : new int[] {100, 256}) {
                VirtioScsiGuest.Response r = g.command(0, 0, cdb(0x28, 0, 0, 0, lba >> 8, lba & 0xFF, 0, 0, 128, 0),
                        null, data.length, 8192);
                assertThat(r.status()).isZero();
                assertThat(r.dataIn()).isEqualTo(data);
            }
            // a data-in buffer shorter than the transfer: OVERRUN, what fits is delivered
            VirtioScsiGuest.Response o = g.command(0, 0, cdb(0x28, 0, 0, 0, 0, 100, 0, 0, 2, 0), null, 512, 512);
            assertThat(o.response()).isEqualTo(VirtioScsi.S_OVERRUN);
            assertThat(o.dataIn()).isEqualTo(java.util.Arrays.copyOf(data, 512));
        }
    }

    @Test
    void otherTargetsAreBadTargetAndUnmappedLunsGetSense() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            VirtioScsiGuest.Response r = g.command(1, 0, cdb(0, 0, 0, 0, 0, 0), null, 0, 4096);
            assertThat(r.response()).isEqualTo(VirtioScsi.S_BAD_TARGET);
            r = g.command(5, cdb(0, 0, 0, 0, 0, 0), null, 0);
            assertThat(r.response()).isEqualTo(VirtioScsi.S_OK);
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.sense()[12]).isEqualTo((byte) 0x25); // LOGICAL UNIT NOT SUPPORTED
        }
    }

    @Test
    void getVringBaseStopsTheRingAndAnswersItsIndex() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            for (int i = 0; i < 3; i++) {
                g.command(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
            }
            fe.send(VhostUserRequest.GET_VRING_BASE, 0, FakeFrontEnd.state(2, 0));
            ByteBuffer b = ByteBuffer.wrap(fe.reply()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt(0)).isEqualTo(2);
            assertThat(b.getInt(4)).isEqualTo(3);
        }
    }

    @Test
    void aRemappedLunMapIsAnnouncedOnTheEventQueue() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            g.command(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
            FakeDriver ev = fe.drivers.get(1);
            long[] bufs = new long[4];
            for (int i = 0; i < 4; i++) {
                bufs[i] = fe.ram.alloc(16, 8);
                ev.publish(ev.chain(List.of(new FakeDriver.Buf(bufs[i], 16, true))));
            }
            fe.kick(1);
            controller.remap(LunMap.of(List.of(new LunMapping(3, lu2, false))));
            assertThat(fe.awaitUsed(1, 2)).isTrue();
            ByteBuffer e0 = ByteBuffer.wrap(fe.ram.get(bufs[0], 16)).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer e1 = ByteBuffer.wrap(fe.ram.get(bufs[1], 16)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(e0.getInt(0)).isEqualTo(VirtioScsi.T_TRANSPORT_RESET);
            assertThat(e0.getInt(12)).isEqualTo(VirtioScsi.EVT_RESET_REMOVED);
            assertThat(e0.get(4)).isEqualTo((byte) 1);
            assertThat(e0.get(7)).isEqualTo((byte) 0);
            assertThat(e1.getInt(12)).isEqualTo(VirtioScsi.EVT_RESET_RESCAN);
            assertThat(e1.get(7)).isEqualTo((byte) 3);
            VirtioScsiGuest.Response r = g.command(3, cdb(0, 0, 0, 0, 0, 0), null, 0);
            assertThat(r.status()).isEqualTo(2);
            assertThat(r.sense()[12]).isEqualTo((byte) 0x3F); // REPORTED LUNS DATA HAS CHANGED
            assertThat(r.sense()[13]).isEqualTo((byte) 0x0E);
        }
    }

    @Test
    void taskManagementOnTheControlQueue() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            g.command(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
            FakeDriver ctl = fe.drivers.get(0);
            int[] subtypes = {VirtioScsi.TMF_ABORT_TASK, VirtioScsi.TMF_LOGICAL_UNIT_RESET, VirtioScsi.TMF_CLEAR_ACA,
                VirtioScsi.TMF_ABORT_TASK_SET};
            int[] lunOf = {0, 0, 0, 9};
            int[] expected = {VirtioScsi.S_FUNCTION_COMPLETE, VirtioScsi.S_FUNCTION_COMPLETE,
                VirtioScsi.S_FUNCTION_REJECTED, VirtioScsi.S_INCORRECT_LUN};
            for (int i = 0; i < subtypes.length; i++) {
                ByteBuffer req = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                req.putInt(VirtioScsi.T_TMF).putInt(subtypes[i]).put((byte) 1).put((byte) 0)
                        .put((byte) 0x40).put((byte) lunOf[i]).putInt(0).putLong(0x999);
                long rq = fe.ram.alloc(24, 8);
                long rs = fe.ram.alloc(1, 8);
                fe.ram.put(rq, req.array());
                fe.ram.put(rs, new byte[] {(byte) 0xEE});
                ctl.publish(ctl.chain(List.of(new FakeDriver.Buf(rq, 24, false), new FakeDriver.Buf(rs, 1, true))));
                fe.kick(0);
                assertThat(fe.awaitUsed(0, i + 1)).isTrue();
                assertThat(fe.ram.get(rs, 1)[0]).as("subtype " + subtypes[i]).isEqualTo((byte) expected[i]);
            }
            VirtioScsiGuest.Response r = g.command(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
            assertThat(r.sense()[12]).isEqualTo((byte) 0x29); // LOGICAL UNIT RESET OCCURRED
            assertThat(r.sense()[13]).isEqualTo((byte) 0x03);
        }
    }

    @Test
    void aParameterUnitAttentionIsAnnouncedWithParamChange() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            g.command(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
            FakeDriver ev = fe.drivers.get(1);
            long buf = fe.ram.alloc(16, 8);
            ev.publish(ev.chain(List.of(new FakeDriver.Buf(buf, 16, true))));
            fe.kick(1);
            lu.unitAttentions().establish(controller.nexus(), io.xtarget.scsi.UnitAttentions.CAPACITY_CHANGED);
            assertThat(fe.awaitUsed(1, 1)).isTrue(); // within the poll thread's second
            ByteBuffer e = ByteBuffer.wrap(fe.ram.get(buf, 16)).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(e.getInt(0)).isEqualTo(VirtioScsi.T_PARAM_CHANGE);
            assertThat(e.getInt(12)).isEqualTo(0x2A | 0x09 << 8);
            VirtioScsiGuest.Response r = g.command(0, cdb(0, 0, 0, 0, 0, 0), null, 0);
            assertThat(r.sense()[12]).isEqualTo((byte) 0x2A); // the condition itself is still reported
        }
    }
}
