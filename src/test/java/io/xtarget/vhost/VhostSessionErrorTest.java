package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.RamStore;
import io.xtarget.backend.Store;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.server.StandardCommands;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A front-end or guest that breaks the protocol ends its own session, cleanly: the connection
 * closes, nothing stays in the LU's task set, and the controller serves the next front-end.
 */
class VhostSessionErrorTest {
    @TempDir
    Path dir;
    ExecutorService workers = Executors.newFixedThreadPool(2);
    CopyCommandSet copy = new CopyCommandSet();
    ScsiCore core = new ScsiCore(StandardCommands.table(copy), List.of());
    CountDownLatch readsMayGo = new CountDownLatch(0);
    LogicalUnit lu;
    VhostController controller;
    Path socket;

    /** A slow store whose reads wait for {@link #readsMayGo}. */
    final class HeldStore extends ForwardingStore {
        HeldStore(Store inner) {
            super(inner);
        }

        @Override
        public Speed speed() {
            return Speed.UNKNOWN;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            try {
                readsMayGo.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            super.read(offset, dst);
        }
    }

    @BeforeEach
    void start() throws Exception {
        lu = new LogicalUnit("disk1", new HeldStore(new RamStore(512, 8L << 20)), VhostControllerTest.naa(1), "s1", false);
        socket = dir.resolve("vm.sock");
        controller = new VhostController(socket, PosixFilePermissions.fromString("rw-------"), null, 3,
                LunMap.of(List.of(new LunMapping(0, lu, false))), core, workers, 64L << 20);
        controller.start();
    }

    @AfterEach
    void stop() {
        readsMayGo = new CountDownLatch(0);
        controller.close();
        workers.shutdownNow();
        copy.close();
    }

    /** The controller still serves: a well-behaved front-end gets TEST UNIT READY answered. */
    private void stillServes() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.ring(0, 8);
            fe.ring(1, 8);
            fe.ring(2, 8);
            VirtioScsiGuest.Response r = new VirtioScsiGuest(fe, 2).command(0, new byte[6], null, 0);
            assertThat(r.response()).isZero();
            assertThat(r.status()).isZero();
        }
        assertThat(lu.tasks().select(t -> true)).isEmpty();
    }

    private void closedAfter(byte[] raw, int... fds) throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.sendRaw(raw, fds);
            assertThat(fe.closedByBackEnd()).isTrue();
        }
        stillServes();
    }

    @Test
    void aWrongVersion() throws Exception {
        closedAfter(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(2).putInt(0).array());
    }

    @Test
    void aReplyFlagInARequest() throws Exception {
        closedAfter(VhostUserMessage.request(VhostUserRequest.GET_FEATURES, VhostUserMessage.FLAG_REPLY, new byte[0]));
    }

    @Test
    void anOversizedPayload() throws Exception {
        closedAfter(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(5).putInt(1).putInt(1 << 20).array());
    }

    @Test
    void aPayloadOfTheWrongSize() throws Exception {
        closedAfter(VhostUserMessage.request(VhostUserRequest.SET_VRING_NUM, 0, new byte[4]));
    }

    @Test
    void aQueueIndexOutOfRange() throws Exception {
        closedAfter(VhostUserMessage.request(VhostUserRequest.SET_VRING_NUM, 0, FakeFrontEnd.state(99, 8)));
    }

    @Test
    void featuresNotOffered() throws Exception {
        closedAfter(VhostUserMessage.request(VhostUserRequest.SET_FEATURES, 0, VhostUserMessage.u64(1L << 26)));
    }

    @Test
    void aMessageCutShort() throws Exception {
        byte[] full = VhostUserMessage.request(VhostUserRequest.SET_FEATURES, 0, VhostUserMessage.u64(0));
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.sendRaw(java.util.Arrays.copyOf(full, 15));
        }
        stillServes();
    }

    @Test
    void aMemoryRegionBeyondItsFile() throws Exception {
        int memfd = UnixFds.memfd("small", 4096);
        try {
            ByteBuffer t = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt(1).putInt(0).putLong(0).putLong(1L << 30).putLong(0x7f0000000000L).putLong(0);
            closedAfter(VhostUserMessage.request(VhostUserRequest.SET_MEM_TABLE, 0, t.array()), memfd);
        } finally {
            UnixFds.closeQuietly(memfd);
        }
    }

    @Test
    void aMemoryTableWithTooFewDescriptors() throws Exception {
        int memfd = UnixFds.memfd("m", 1 << 20);
        try {
            ByteBuffer t = ByteBuffer.allocate(72).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt(2).putInt(0);
            t.putLong(0).putLong(4096).putLong(0x7f0000000000L).putLong(0);
            t.putLong(8192).putLong(4096).putLong(0x7f0000010000L).putLong(4096);
            closedAfter(VhostUserMessage.request(VhostUserRequest.SET_MEM_TABLE, 0, t.array()), memfd);
        } finally {
            UnixFds.closeQuietly(memfd);
        }
    }

    @Test
    void moreDescriptorsThanAMessageMayCarry() throws Exception {
        int[] fds = new int[9];
        for (int i = 0; i < fds.length; i++) {
            fds[i] = Eventfd.create().fd();
        }
        try {
            closedAfter(VhostUserMessage.request(VhostUserRequest.SET_OWNER, 0, new byte[0]), fds);
        } finally {
            for (int fd : fds) {
                UnixFds.closeQuietly(fd);
            }
        }
    }

    @Test
    void aRingAddressOutsideGuestMemory() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.send(VhostUserRequest.SET_VRING_NUM, 0, FakeFrontEnd.state(2, 8));
            ByteBuffer a = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            a.putInt(2).putInt(0).putLong(0x1000).putLong(0x2000).putLong(0x3000).putLong(0);
            fe.send(VhostUserRequest.SET_VRING_ADDR, 0, a.array());
            assertThat(fe.closedByBackEnd()).isTrue();
        }
        stillServes();
    }

    /** SET_VRING_BASE on a started ring would make the device take buffers it has in flight again. */
    @Test
    void aBaseSetOnAStartedRing() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.ring(0, 8);
            fe.ring(1, 8);
            fe.ring(2, 8);
            fe.send(VhostUserRequest.SET_VRING_BASE, 0, FakeFrontEnd.state(2, 0));
            assertThat(fe.closedByBackEnd()).isTrue();
        }
        stillServes();
    }

    @Test
    void aLoopingDescriptorChainOnALiveRing() throws Exception {
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            fe.ring(0, 8);
            fe.ring(1, 8);
            FakeDriver d = fe.ring(2, 8);
            long buf = fe.ram.alloc(64, 8);
            d.descriptor(d.desc, 0, buf, 64, 1, 1);
            d.descriptor(d.desc, 1, buf, 64, 1, 0);
            d.publish(0);
            fe.kick(2);
            assertThat(fe.closedByBackEnd()).isTrue();
        }
        stillServes();
    }

    @Test
    void aCommandInFlightWhenTheGuestVanishesIsAbortedAsNexusLoss() throws Exception {
        readsMayGo = new CountDownLatch(1);
        FakeFrontEnd fe = new FakeFrontEnd(socket.toString());
        fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
        fe.ring(0, 8);
        fe.ring(1, 8);
        FakeDriver d = fe.ring(2, 8);
        byte[] read10 = java.util.Arrays.copyOf(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0}, 32);
        long h = fe.ram.alloc(51, 8);
        fe.ram.put(h, VirtioScsiGuest.header(0, 0, 77, read10));
        long r = fe.ram.alloc(108 + 4096, 8);
        d.publish(d.chain(List.of(new FakeDriver.Buf(h, 51, false), new FakeDriver.Buf(r, 108 + 4096, true))));
        fe.kick(2);
        long end = System.nanoTime() + 5_000_000_000L;
        while (lu.tasks().select(t -> true).isEmpty() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(lu.tasks().select(t -> true)).hasSize(1);
        fe.close(); // QEMU killed: the socket closes with the command in flight
        Thread.sleep(200);
        assertThat(lu.tasks().select(t -> true)).allMatch(t -> t.isAborted());
        readsMayGo.countDown();
        stillServes();
    }

    @Test
    void abortTaskOfACommandInFlightAnswersItAbortedThenCompletesTheFunction() throws Exception {
        readsMayGo = new CountDownLatch(1);
        try (FakeFrontEnd fe = new FakeFrontEnd(socket.toString())) {
            fe.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
            FakeDriver ctl = fe.ring(0, 8);
            fe.ring(1, 8);
            FakeDriver d = fe.ring(2, 8);
            byte[] read10 = java.util.Arrays.copyOf(new byte[] {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0}, 32);
            long h = fe.ram.alloc(51, 8);
            fe.ram.put(h, VirtioScsiGuest.header(0, 0, 0x4242, read10));
            long r = fe.ram.alloc(108 + 4096, 8);
            d.publish(d.chain(List.of(new FakeDriver.Buf(h, 51, false), new FakeDriver.Buf(r, 108 + 4096, true))));
            fe.kick(2);
            long end = System.nanoTime() + 5_000_000_000L;
            while (lu.tasks().select(t -> true).isEmpty() && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            ByteBuffer req = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            req.putInt(VirtioScsi.T_TMF).putInt(VirtioScsi.TMF_QUERY_TASK).put((byte) 1).put((byte) 0)
                    .put((byte) 0x40).put((byte) 0).putInt(0).putLong(0x4242);
            long rq = fe.ram.alloc(24, 8);
            long rs = fe.ram.alloc(1, 8);
            fe.ram.put(rq, req.array());
            ctl.publish(ctl.chain(List.of(new FakeDriver.Buf(rq, 24, false), new FakeDriver.Buf(rs, 1, true))));
            fe.kick(0);
            assertThat(fe.awaitUsed(0, 1)).isTrue();
            assertThat(fe.ram.get(rs, 1)[0]).isEqualTo((byte) VirtioScsi.S_FUNCTION_SUCCEEDED);

            req.putInt(4, VirtioScsi.TMF_ABORT_TASK);
            long rq2 = fe.ram.alloc(24, 8);
            long rs2 = fe.ram.alloc(1, 8);
            fe.ram.put(rq2, req.array());
            fe.ram.put(rs2, new byte[] {(byte) 0xEE});
            ctl.publish(ctl.chain(List.of(new FakeDriver.Buf(rq2, 24, false), new FakeDriver.Buf(rs2, 1, true))));
            fe.kick(0);
            Thread.sleep(200);
            assertThat(fe.drivers.get(0).usedIdx()).isEqualTo(1); // waits for the aborted READ to end
            readsMayGo.countDown();
            assertThat(fe.awaitUsed(0, 2)).isTrue();
            assertThat(fe.ram.get(rs2, 1)[0]).isEqualTo((byte) VirtioScsi.S_FUNCTION_COMPLETE);
            assertThat(fe.awaitUsed(2, 1)).isTrue();
            assertThat(fe.ram.get(r + 11, 1)[0]).isEqualTo((byte) VirtioScsi.S_ABORTED);
        }
        stillServes();
    }
}
