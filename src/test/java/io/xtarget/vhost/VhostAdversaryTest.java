package io.xtarget.vhost;

import static io.xtarget.vhost.VhostVanishedGuestTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile front-ends found by the adversarial review: each ends its session without leaving anything behind. */
class VhostAdversaryTest {
    @TempDir
    Path dir;
    volatile CountDownLatch ioMayGo = new CountDownLatch(0);
    LogicalUnit lu;
    LogicalUnit held;
    VhostFixture f;
    VhostController controller;

    @BeforeEach
    void start() throws Exception {
        lu = new LogicalUnit("disk1", new RamStore(512, 4L << 20), VhostControllerTest.naa(1), "s1", false);
        held = new LogicalUnit("held", new HeldStore(new RamStore(512, 4L << 20), () -> ioMayGo),
                VhostControllerTest.naa(2), "s2", false);
        f = new VhostFixture(dir, 2, new LunMapping(0, lu, false), new LunMapping(1, held, false));
        controller = f.controller;
    }

    @AfterEach
    void stop() {
        ioMayGo.countDown();
        f.close();
    }

    /**
     * Mappings of this test's memfds in this process (named apart from the other vhost tests', so a
     * mapping leaked here does not fail them).
     */
    static long guestMappings() throws java.io.IOException {
        return java.nio.file.Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("memfd:adv-")).count();
    }

    FakeFrontEnd connect() throws Exception {
        return f.connect("adv-guest");
    }

    /**
     * A SET_MEM_TABLE whose new table no longer holds a started ring's addresses is refused (the
     * session ends), but the table it was to replace must still be unmapped when the session ends.
     */
    @Test
    void aRefusedMemTableReplacementLeavesNoMappingBehind() throws Exception {
        long base = guestMappings();
        int otherMemfd = UnixFds.memfd("adv-other", 1L << 20);
        try {
            try (FakeFrontEnd fe = connect()) {
                VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
                assertThat(g.command(0, new byte[6], null, 0).status()).isZero();
                assertThat(guestMappings()).isEqualTo(base + 2); // the front-end's and ours
                // a region somewhere else: the started rings' addresses are not in it
                ByteBuffer t = ByteBuffer.allocate(8 + 32).order(ByteOrder.LITTLE_ENDIAN);
                t.putInt(1).putInt(0).putLong(0x4000_0000L).putLong(1L << 20).putLong(0x6000_0000_0000L).putLong(0);
                fe.send(VhostUserRequest.SET_MEM_TABLE, 0, t.array(), otherMemfd);
                assertThat(fe.closedByBackEnd()).as("the session ends").isTrue();
            }
            await(() -> !controller.connected(), "the clean-up");
            Thread.sleep(500);
            assertThat(guestMappings()).as("every guest mapping of the ended session unmapped").isEqualTo(base);
        } finally {
            UnixFds.closeQuietly(otherMemfd);
        }
    }

    /** Publishes a READ(10) of 8 blocks of LUN {@code lun} on ring 2; returns {response header, data-in} addresses. */
    static long[] publishRead(FakeFrontEnd fe, int lun, long tag) {
        FakeDriver d = fe.drivers.get(2);
        byte[] cdb = java.util.Arrays.copyOf(VhostDirectDataTest.rw10(0x28, 0, 8), 32);
        long h = fe.ram.alloc(VirtioScsi.REQUEST_HEADER_BYTES, 8);
        fe.ram.put(h, VirtioScsiGuest.header(0, lun, tag, cdb));
        long resp = fe.ram.alloc(VirtioScsi.RESPONSE_HEADER_BYTES, 8);
        long buf = fe.ram.alloc(4096, 8);
        fe.ram.put(buf, new byte[4096]);
        d.publish(d.chain(List.of(new FakeDriver.Buf(h, VirtioScsi.REQUEST_HEADER_BYTES, false),
                new FakeDriver.Buf(resp, VirtioScsi.RESPONSE_HEADER_BYTES, true), new FakeDriver.Buf(buf, 4096, true))));
        return new long[] {resp, buf};
    }

    /**
     * A valid SET_MEM_TABLE (the same RAM again) while a command is in flight: the command ends
     * normally, and once it has, the replaced table is unmapped (one mapping of ours, not two).
     */
    @Test
    void aMemTableReplacedWhileACommandRunsIsUnmappedWhenItEnds() throws Exception {
        long base = guestMappings(); // another test's leak, if any, is not this one's
        ioMayGo = new CountDownLatch(1);
        try (FakeFrontEnd fe = connect()) {
            publishRead(fe, 1, 7);
            fe.kick(2);
            await(() -> held.tasks().select(t -> true).size() == 1, "the READ in flight");
            ByteBuffer t = ByteBuffer.allocate(8 + 32).order(ByteOrder.LITTLE_ENDIAN);
            t.putInt(1).putInt(0).putLong(GuestRam.GPA).putLong(FakeFrontEnd.RAM).putLong(GuestRam.UVA).putLong(0);
            fe.send(VhostUserRequest.SET_MEM_TABLE, VhostUserMessage.FLAG_NEED_REPLY, t.array(), fe.memfd);
            assertThat(fe.reply()).as("REPLY_ACK: applied").isEqualTo(VhostUserMessage.u64(0));
            ioMayGo.countDown();
            assertThat(fe.awaitUsed(2, 1)).isTrue();
            // the next command runs on the new table
            publishRead(fe, 0, 8);
            fe.kick(2);
            assertThat(fe.awaitUsed(2, 2)).isTrue();
            // the worker releases the old table just after it publishes the used entry
            await(() -> {
                try {
                    return guestMappings() == base + 2; // the front-end's mapping and our current one
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "the replaced table to be unmapped");
        }
        await(() -> !controller.connected(), "the clean-up");
        assertThat(guestMappings()).isEqualTo(base);
    }

    /**
     * WRITE(10) of 8 blocks whose data-out is 100 bytes short, in descriptors of 700 bytes: the 7
     * whole blocks sent are written, the 8th block is left as it was, and the driver hears of the
     * missing data (VIRTIO_SCSI_S_OVERRUN, 5.6.6.1).
     */
    @Test
    void aWriteWithShortDataOutWritesOnlyTheBlocksSent() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            byte[] data = new byte[4096 - 100];
            new java.util.Random(3).nextBytes(data);
            byte[] before = new byte[4096];
            lu.read(16, ByteBuffer.wrap(before));
            VirtioScsiGuest.Response r = g.command(0, 0, VhostDirectDataTest.rw10(0x2A, 16, 8), data, 0, 700);
            assertThat(r.response()).isEqualTo(VirtioScsi.S_OVERRUN);
            byte[] after = new byte[4096];
            lu.read(16, ByteBuffer.wrap(after));
            assertThat(java.util.Arrays.copyOf(after, 3584)).isEqualTo(java.util.Arrays.copyOf(data, 3584));
            assertThat(java.util.Arrays.copyOfRange(after, 3584, 4096))
                    .isEqualTo(java.util.Arrays.copyOfRange(before, 3584, 4096));
        }
    }

    /**
     * A front-end's call descriptor is a blocking eventfd whose counter it has filled to the
     * maximum (0xfffffffffffffffe): every signal of it blocks (eventfd(2): "a write(2) blocks
     * until a read(2) is performed"). The commands of that guest that end on the fabric's shared
     * workers then hold those workers for ever, and a guest on another controller, which only
     * shares the workers, is no longer served; the stuck signal also holds the Eventfd's monitor,
     * which the session's clean-up needs to close it. Expected: one front-end's descriptors cannot stop
     * another guest's I/O (the call is signalled without blocking, or the session ends).
     */
    @Test
    void aCallDescriptorThatBlocksDoesNotStopAnotherGuest() throws Exception {
        LogicalUnit other = new LogicalUnit("other", new HeldStore(new RamStore(512, 4L << 20), () -> ioMayGo),
                VhostControllerTest.naa(3), "s3", false);
        VhostController second = new VhostController(dir.resolve("vm2.sock"),
                PosixFilePermissions.fromString("rw-------"), null, 4,
                LunMap.of(List.of(new LunMapping(0, other, false))), f.core, f.workers, 64L << 20);
        second.start();
        int stuck = UnixFds.eventfd(UnixFds.EFD_CLOEXEC); // blocking
        try (FakeFrontEnd fe = connect()) {
            UnixFds.write8(stuck, java.lang.foreign.Arena.ofAuto().allocate(8, 8), 0xFFFF_FFFF_FFFF_FFFEL);
            fe.send(VhostUserRequest.SET_VRING_CALL, VhostUserMessage.FLAG_NEED_REPLY, VhostUserMessage.u64(2), stuck);
            assertThat(fe.reply()).isEqualTo(VhostUserMessage.u64(0));
            // READs of LU 1 (slow as far as the core knows): each ends on a worker, one after the
            // other, so no call can be merged into one already being signalled
            for (int k = 1; k <= 2; k++) { // as many as the fabric has workers
                fe.drivers.get(2).setUsedEvent(k - 1); // the driver wants an interrupt for each (EVENT_IDX)
                publishRead(fe, 1, k);
                fe.kick(2);
                assertThat(fe.awaitUsed(2, k)).as("READ %d answered (the used ring is written before the call)", k)
                        .isTrue();
                Thread.sleep(200);
            }
            try (FakeFrontEnd fe2 = new FakeFrontEnd(second.socket().toString(), "adv-guest2")) {
                fe2.handshake(VhostControllerTest.FEATURES, VhostControllerTest.PROTOCOL);
                fe2.ring(0, 8);
                fe2.ring(1, 8);
                fe2.ring(2, 16);
                await(second::connected, "the second front-end to be served");
                publishRead(fe2, 0, 1);
                fe2.kick(2);
                assertThat(fe2.awaitUsed(2, 1)).as("the other guest's READ is answered").isTrue();
            }
        } finally {
            UnixFds.read8(stuck, java.lang.foreign.Arena.ofAuto().allocate(8, 8)); // unblocks the signals
            UnixFds.closeQuietly(stuck);
            second.close();
        }
    }

    /**
     * GET_VRING_BASE while a READ is in flight: the answer waits for the READ's buffer to be
     * returned, so the base it gives (1) and the used ring agree.
     */
    @Test
    void getVringBaseMidIoAnswersOnceTheBufferIsReturned() throws Exception {
        ioMayGo = new CountDownLatch(1);
        try (FakeFrontEnd fe = connect()) {
            publishRead(fe, 1, 5);
            fe.kick(2);
            await(() -> held.tasks().select(t -> true).size() == 1, "the READ in flight");
            fe.send(VhostUserRequest.GET_VRING_BASE, 0, FakeFrontEnd.state(2, 0));
            Thread.sleep(300);
            assertThat(fe.drivers.get(2).usedIdx()).isZero();
            ioMayGo.countDown();
            byte[] reply = fe.reply();
            assertThat(reply).isEqualTo(FakeFrontEnd.state(2, 1));
            assertThat(fe.drivers.get(2).usedIdx()).as("returned before the answer").isEqualTo(1);
        }
    }
}
