package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task attributes on the vhost fabric (SAM-5 8.6), as on iSCSI: an ORDERED command waits for the
 * older tasks of its LUN and holds back the younger SIMPLE ones; HEAD OF QUEUE never waits; an
 * aborted held command is answered at once. Order is read from the used ring, nothing is timed.
 */
class VhostTaskOrderTest {
    @TempDir
    Path dir;
    VhostFixture fixture;
    ScsiCore core;
    final CountDownLatch ioMayGo = new CountDownLatch(1);
    LogicalUnit lu;
    VhostController controller;
    FakeFrontEnd fe;
    FakeDriver d;

    @BeforeEach
    void start() throws Exception {
        lu = new LogicalUnit("disk1", new HeldStore(new RamStore(512, 4L << 20), () -> ioMayGo),
                VhostControllerTest.naa(1), "s1", false);
        fixture = new VhostFixture(dir, 4, new LunMapping(0, lu, false));
        controller = fixture.controller;
        core = fixture.core;
        fe = fixture.connect("order-guest");
        d = fe.drivers.get(2);
        assertThat(new VirtioScsiGuest(fe, 2).command(0, new byte[6], null, 0).status()).isZero(); // the ring works
    }

    @AfterEach
    void stop() throws Exception {
        ioMayGo.countDown();
        fe.close();
        fixture.close();
    }

    /** Publishes one command with {@code attr} (5.6.6.1 task_attr) and returns its chain's head. */
    int publish(long tag, int attr, byte[] cdb, int dataOut) {
        byte[] header = VirtioScsiGuest.header(0, 0, tag, java.util.Arrays.copyOf(cdb, VirtioScsi.CDB_SIZE));
        header[16] = (byte) attr;
        long h = fe.ram.alloc(VirtioScsi.REQUEST_HEADER_BYTES, 8);
        fe.ram.put(h, header);
        List<FakeDriver.Buf> bufs = new ArrayList<>();
        bufs.add(new FakeDriver.Buf(h, VirtioScsi.REQUEST_HEADER_BYTES, false));
        if (dataOut > 0) {
            bufs.add(new FakeDriver.Buf(fe.ram.alloc(dataOut, 8), dataOut, false));
        }
        bufs.add(new FakeDriver.Buf(fe.ram.alloc(VirtioScsi.RESPONSE_HEADER_BYTES, 8), VirtioScsi.RESPONSE_HEADER_BYTES, true));
        int head = d.chain(bufs);
        d.publish(head);
        return head;
    }

    /** The chain heads in the used ring, in the order the device answered them (the first one excluded). */
    List<Long> answered() {
        List<Long> out = new ArrayList<>();
        for (int i = 1; i < d.usedIdx(); i++) {
            out.add(d.usedElem(i)[0]);
        }
        return out;
    }

    @Test
    void orderedWaitsForOlderTasksAndHoldsBackYoungerOnes() throws Exception {
        long write = publish(10, VirtioScsi.S_SIMPLE, VhostDirectDataTest.rw10(0x2A, 0, 8), 4096); // held by the store
        long ordered = publish(11, VirtioScsi.S_ORDERED, new byte[6], 0);
        long simple = publish(12, VirtioScsi.S_SIMPLE, new byte[6], 0);
        long head = publish(13, VirtioScsi.S_HEAD, new byte[6], 0);
        fe.kick(2);
        assertThat(fe.awaitUsed(2, 2)).isTrue();
        assertThat(answered()).containsExactly(head); // the others wait: the WRITE in the store, the rest for it
        assertThat(lu.tasks().size()).isEqualTo(3);

        ioMayGo.countDown();
        assertThat(fe.awaitUsed(2, 5)).isTrue();
        assertThat(answered()).containsExactly(head, write, ordered, simple);
    }

    @Test
    void anAbortedHeldCommandIsAnsweredAtOnce() throws Exception {
        publish(20, VirtioScsi.S_SIMPLE, VhostDirectDataTest.rw10(0x2A, 0, 8), 4096); // held by the store
        long ordered = publish(21, VirtioScsi.S_ORDERED, new byte[6], 0);
        fe.kick(2);
        VhostVanishedGuestTest.await(() -> lu.tasks().size() == 2, "both commands in their task set");
        ScsiTask held = lu.tasks().select(t -> t.tag() == 21).getFirst();
        core.taskManager().abortTask(held, held.nexus());
        assertThat(fe.awaitUsed(2, 2)).isTrue();
        assertThat(answered()).containsExactly(ordered); // answered while the WRITE is still in the store
        assertThat(held.isAborted()).isTrue();
    }
}
