package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The split virtqueue (virtio 1.1 2.6) against guest memory filled like a driver would. */
class VirtqueueTest {
    private final GuestRam ram = new GuestRam(1 << 20);
    private final FakeDriver driver = new FakeDriver(ram, 8);

    @AfterEach
    void close() {
        ram.close();
    }

    private static long signalled(Eventfd e) throws Exception {
        MemorySegment buf = Arena.ofAuto().allocate(8, 8);
        return UnixFds.read8(e.fd(), buf);
    }

    @Test
    void popsAChainAndReturnsItOnTheUsedRing() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        assertThat(q.pop()).isNull();
        List<FakeDriver.Buf> bufs = driver.bufs(51, 4096, -108, -512);
        ram.put(bufs.get(1).gpa(), new byte[] {1, 2, 3});
        int head = driver.chain(bufs);
        driver.publish(head);

        Virtqueue.Popped p = q.pop();
        assertThat(p.chain().head()).isEqualTo(head);
        assertThat(p.chain().readableBytes()).isEqualTo(51 + 4096);
        assertThat(p.chain().writableBytes()).isEqualTo(108 + 512);
        byte[] got = new byte[3];
        p.chain().read(51, MemorySegment.ofArray(got));
        assertThat(got).containsExactly(1, 2, 3);
        assertThat(p.chain().readableSlice(51, 4096)).isNotNull();
        assertThat(p.chain().readableSlice(50, 2)).isNull(); // spans two descriptors
        p.chain().write(100, MemorySegment.ofArray(new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 7, 7}));
        assertThat(ram.get(bufs.get(2).gpa() + 100, 8)).containsOnly(9);
        assertThat(ram.get(bufs.get(3).gpa(), 2)).containsOnly(7);
        assertThat(q.pop()).isNull();

        q.push(p, 620);
        assertThat(driver.usedIdx()).isEqualTo(1);
        assertThat(driver.usedElem(0)).containsExactly(head, 620);
        q.push(p, 620); // a second push of the same buffer is ignored
        assertThat(driver.usedIdx()).isEqualTo(1);
        assertThat(q.inFlight()).isZero();
    }

    @Test
    void indirectTablesWhenNegotiated() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        List<FakeDriver.Buf> bufs = driver.bufs(51, 512, 512, -108);
        driver.publish(driver.indirectChain(bufs));
        Virtqueue.Popped p = q.pop();
        assertThat(p.chain().readableSegments()).hasSize(3);
        assertThat(p.chain().writableBytes()).isEqualTo(108);
    }

    @Test
    void indirectTablesRefusedWithoutTheFeature() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.publish(driver.indirectChain(driver.bufs(51, -108)));
        assertThatThrownBy(q::pop).isInstanceOf(DeviceException.class).hasMessageContaining("not negotiated");
    }

    @Test
    void eventIdxInterruptsOnlyWhenUsedEventIsPassedAndPublishesAvailEvent() throws Exception {
        Virtqueue q = driver.queue(2, true, true);
        try (Eventfd call = Eventfd.create()) {
            q.setCall(call);
            driver.setUsedEvent(0); // interrupt when used index passes 0
            for (int k = 0; k < 3; k++) {
                driver.publish(driver.chain(driver.bufs(51, -108)));
            }
            Virtqueue.Popped a = q.pop();
            Virtqueue.Popped b = q.pop();
            Virtqueue.Popped c = q.pop();
            assertThat(q.rearm()).isFalse();
            assertThat(driver.availEvent()).isEqualTo(3);
            q.push(a, 108);
            q.notifyGuest();
            assertThat(signalled(call)).isEqualTo(1); // first notification always goes out
            q.push(b, 108);
            q.notifyGuest();
            assertThat(signalled(call)).isEqualTo(-1); // used_event 0 already passed
            driver.setUsedEvent(2);
            q.push(c, 108);
            q.notifyGuest();
            assertThat(signalled(call)).isEqualTo(1); // used index went from 2 to 3, passing 2
        }
    }

    @Test
    void noInterruptFlagWithoutEventIdx() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        try (Eventfd call = Eventfd.create()) {
            q.setCall(call);
            driver.setAvailFlags(1);
            driver.publish(driver.chain(driver.bufs(51, -108)));
            q.push(q.pop(), 0);
            q.notifyGuest();
            assertThat(signalled(call)).isEqualTo(-1);
            driver.setAvailFlags(0);
            driver.publish(driver.chain(driver.bufs(51, -108)));
            q.push(q.pop(), 0);
            q.notifyGuest();
            assertThat(signalled(call)).isEqualTo(1);
        }
    }

    @Test
    void rearmSeesABufferAddedAfterTheLastPop() throws Exception {
        Virtqueue q = driver.queue(2, true, false);
        driver.publish(driver.chain(driver.bufs(51, -108)));
        q.pop();
        driver.publish(driver.chain(driver.bufs(51, -108)));
        assertThat(q.rearm()).isTrue();
    }

    @Test
    void stoppedRingIsNotTakenFromAndStopAnswersTheNextIndex() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.publish(driver.chain(driver.bufs(51, -108)));
        Virtqueue.Popped p = q.pop();
        driver.publish(driver.chain(driver.bufs(51, -108)));
        q.beginStop();
        assertThat(q.pop()).isNull();
        assertThat(q.awaitDrained(10)).isFalse();
        q.push(p, 108); // a buffer in flight still goes back while draining
        assertThat(q.awaitDrained(10)).isTrue();
        assertThat(q.finishStop()).isEqualTo(1);
        assertThat(driver.usedIdx()).isEqualTo(1);
    }

    @Test
    void sizeMustBeAPowerOfTwo() {
        Virtqueue q = new Virtqueue(0, 1 << 20);
        assertThatThrownBy(() -> q.setSize(100)).isInstanceOf(DeviceException.class);
        assertThatThrownBy(() -> q.setSize(65536)).isInstanceOf(DeviceException.class);
        assertThatThrownBy(() -> q.setSize(0)).isInstanceOf(DeviceException.class);
    }

    @Test
    void ringOutsideMemoryOrMisalignedIsRefused() throws Exception {
        Virtqueue q = new Virtqueue(0, 1 << 20);
        q.setSize(8);
        q.setMemory(ram.memory);
        assertThatThrownBy(() -> q.setAddresses(GuestRam.UVA + (1 << 20) - 16, GuestRam.UVA, GuestRam.UVA + 256))
                .isInstanceOf(DeviceException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> q.setAddresses(GuestRam.UVA + 8, GuestRam.UVA + 512, GuestRam.UVA + 256))
                .isInstanceOf(DeviceException.class).hasMessageContaining("misaligned");
        Virtqueue r = new Virtqueue(0, 1 << 20);
        assertThatThrownBy(() -> r.start(null)).isInstanceOf(DeviceException.class);
    }
}
