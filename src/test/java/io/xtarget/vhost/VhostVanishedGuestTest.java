package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiTask;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A front-end that vanishes with commands in flight (QEMU killed with SIGKILL: its socket, eventfds
 * and memory go at once) leaves nothing behind in the server: the commands are aborted, the guest
 * memory unmapped, every descriptor it sent closed (counted in /proc/self/fd), and the socket
 * serves the next front-end.
 */
class VhostVanishedGuestTest {
    @TempDir
    Path dir;
    volatile CountDownLatch ioMayGo = new CountDownLatch(0);
    LogicalUnit lu;
    VhostFixture f;
    VhostController controller;

    @BeforeEach
    void start() throws Exception {
        lu = new LogicalUnit("disk1", new HeldStore(new RamStore(512, 4L << 20), () -> ioMayGo), VhostControllerTest.naa(1), "s1", false);
        f = new VhostFixture(dir, 2, new LunMapping(0, lu, false));
        controller = f.controller;
    }

    @AfterEach
    void stop() {
        ioMayGo.countDown();
        f.close();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - end).as("waiting for " + what).isNegative();
            Thread.sleep(5);
        }
    }

    /**
     * The descriptors open in this process, each as "fd -> what it is" (/proc/self/fd). Compared as
     * sets, so a descriptor another thread closes meanwhile does not count, one left open does.
     */
    static Set<String> openFds() throws IOException {
        Set<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path p : s.toList()) {
                try {
                    out.add(p.getFileName() + " -> " + Files.readSymbolicLink(p));
                } catch (IOException gone) {
                    // closed while listed (the listing's own descriptor among them)
                }
            }
        }
        return out;
    }

    /** Descriptors open now that were not open at {@code baseline}. */
    static Set<String> leakedSince(Set<String> baseline) throws IOException {
        Set<String> now = openFds();
        now.removeAll(baseline);
        return now;
    }

    /** Mappings of a guest's memfd in this process (the front-ends' own ones included). */
    static long guestMappings() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("memfd:guest")).count();
    }

    FakeFrontEnd connect() throws Exception {
        return f.connect("guest");
    }

    /** A well-behaved front-end connects, runs a READ and leaves. */
    void oneGuest() throws Exception {
        try (FakeFrontEnd fe = connect()) {
            VirtioScsiGuest g = new VirtioScsiGuest(fe, 2);
            g.command(0, new byte[6], null, 0);
            VirtioScsiGuest.Response r = g.command(0, 0, VhostDirectDataTest.rw10(0x28, 0, 8), null, 4096, 4096);
            assertThat(r.status()).isZero();
        }
        await(() -> !controller.connected(), "the clean-up");
    }

    @Test
    void aGuestKilledMidRequestLeavesNothingBehind() throws Exception {
        oneGuest(); // classes loaded, threads started: what stays open from here on is the baseline
        Set<String> fds = openFds();
        assertThat(guestMappings()).isZero();

        ioMayGo = new CountDownLatch(1);
        FakeFrontEnd fe = connect();
        FakeDriver d = fe.drivers.get(2);
        byte[] data = new byte[8192];
        for (int i = 0; i < 3; i++) { // two READs and a WRITE, more than the two workers take
            boolean write = i == 2;
            byte[] cdb = java.util.Arrays.copyOf(VhostDirectDataTest.rw10(write ? 0x2A : 0x28, 16 * i, 16), 32);
            long h = fe.ram.alloc(VirtioScsi.REQUEST_HEADER_BYTES, 8);
            fe.ram.put(h, VirtioScsiGuest.header(0, 0, 100 + i, cdb));
            long resp = fe.ram.alloc(VirtioScsi.RESPONSE_HEADER_BYTES, 8);
            long buf = fe.ram.alloc(data.length, 8);
            d.publish(d.chain(List.of(new FakeDriver.Buf(h, VirtioScsi.REQUEST_HEADER_BYTES, false),
                    write ? new FakeDriver.Buf(buf, data.length, false) : new FakeDriver.Buf(resp, 108, true),
                    write ? new FakeDriver.Buf(resp, 108, true) : new FakeDriver.Buf(buf, data.length, true))));
        }
        fe.kick(2);
        await(() -> lu.tasks().select(t -> true).size() == 3, "three commands in flight");
        List<ScsiTask> inFlight = lu.tasks().select(t -> true);
        assertThat(guestMappings()).isEqualTo(2); // the front-end's and ours
        assertThat(leakedSince(fds)).as("the front-end's socket, memfd, eventfds and their copies in the server")
                .hasSizeGreaterThanOrEqualTo(2 + 2 * 3 * 2);

        fe.close(); // SIGKILL: socket, eventfds and memory of the front-end gone at once, mid-request
        await(() -> inFlight.stream().allMatch(ScsiTask::isAborted), "the commands to be aborted (I_T nexus loss)");
        assertThat(controller.connected()).isTrue(); // the clean-up waits for the aborted commands to end
        ioMayGo.countDown();
        await(() -> !controller.connected(), "the clean-up");
        assertThat(lu.tasks().select(t -> true)).isEmpty();
        assertThat(inFlight).allMatch(t -> t.phase() == ScsiTask.Phase.ENDED);
        assertThat(guestMappings()).as("guest memory unmapped").isZero();
        assertThat(leakedSince(fds)).as("descriptors left open after the clean-up").isEmpty();

        oneGuest(); // the socket listens again: the next QEMU is served
        assertThat(leakedSince(fds)).isEmpty();
        assertThat(guestMappings()).isZero();
    }
}
