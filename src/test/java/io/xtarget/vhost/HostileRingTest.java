package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile guest can write into its rings: every one of these breaks the device with a
 * {@link DeviceException} (the session then ends) instead of reading or writing outside guest
 * memory, looping, or allocating without bound.
 */
class HostileRingTest {
    private final GuestRam ram = new GuestRam(1 << 20);
    private final FakeDriver driver = new FakeDriver(ram, 8);
    private final long buf = ram.alloc(4096, 8);

    @AfterEach
    void close() {
        ram.close();
    }

    private void refused(Virtqueue q, String message) {
        assertThatThrownBy(q::pop).isInstanceOf(DeviceException.class).hasMessageContaining(message);
    }

    @Test
    void aChainThatLoops() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        driver.descriptor(driver.desc, 0, buf, 16, 1, 1);
        driver.descriptor(driver.desc, 1, buf, 16, 1, 0);
        driver.publish(0);
        refused(q, "longer than its table");
    }

    @Test
    void aLoopInsideAnIndirectTable() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        long table = ram.alloc(32, 16);
        driver.descriptor(table, 0, buf, 16, 1, 1);
        driver.descriptor(table, 1, buf, 16, 1, 0);
        driver.descriptor(driver.desc, 0, table, 32, 4, 0);
        driver.publish(0);
        refused(q, "longer than its table");
    }

    @Test
    void aNextIndexOutsideTheTable() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.descriptor(driver.desc, 0, buf, 16, 1, 8);
        driver.publish(0);
        refused(q, "next index 8");
    }

    @Test
    void aHeadOutsideTheTable() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.publish(9);
        refused(q, "head descriptor 9");
    }

    @Test
    void aBufferOutsideGuestMemory() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.descriptor(driver.desc, 0, GuestRam.GPA + (1 << 20) - 8, 16, 0, 0);
        driver.publish(0);
        refused(q, "outside guest memory");
    }

    @Test
    void aBufferBelowGuestMemory() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.descriptor(driver.desc, 0, 0, 16, 0, 0);
        driver.publish(0);
        refused(q, "outside guest memory");
    }

    @Test
    void anAddressThatWrapsAround() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.descriptor(driver.desc, 0, -8L, 64, 0, 0);
        driver.publish(0);
        refused(q, "outside guest memory");
    }

    @Test
    void anOversizedLength() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.descriptor(driver.desc, 0, buf, -1, 0, 0); // 4 GiB - 1
        driver.publish(0);
        refused(q, "exceeds");
    }

    @Test
    void oversizedLengthsAddingUp() throws Exception {
        Virtqueue q = new Virtqueue(2, 6000);
        q.setSize(8);
        q.setMemory(ram.memory);
        q.setAddresses(GuestRam.user(driver.desc), GuestRam.user(driver.used), GuestRam.user(driver.avail));
        q.setEnabled(true);
        q.start(null);
        driver.publish(driver.chain(List.of(new FakeDriver.Buf(buf, 4096, false), new FakeDriver.Buf(buf, 4096, false))));
        refused(q, "exceeds 6000");
    }

    @Test
    void anAvailableIndexTooFarAhead() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.setAvailIdx(9);
        refused(q, "more than the queue size");
    }

    @Test
    void aReadableDescriptorAfterAWritableOne() throws Exception {
        Virtqueue q = driver.queue(2, false, false);
        driver.publish(driver.chain(driver.bufs(-108, 51)));
        refused(q, "after a writable one");
    }

    @Test
    void anIndirectDescriptorWithNext() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        long table = ram.alloc(16, 16);
        driver.descriptor(table, 0, buf, 16, 0, 0);
        driver.descriptor(driver.desc, 0, table, 16, 4 | 1, 1);
        driver.publish(0);
        refused(q, "with NEXT");
    }

    @Test
    void anIndirectTableInsideAnIndirectTable() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        long inner = ram.alloc(16, 16);
        driver.descriptor(inner, 0, buf, 16, 0, 0);
        long outer = ram.alloc(16, 16);
        driver.descriptor(outer, 0, inner, 16, 4, 0);
        driver.descriptor(driver.desc, 0, outer, 16, 4, 0);
        driver.publish(0);
        refused(q, "inside an indirect table");
    }

    @Test
    void anIndirectTableOfABadLength() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        long table = ram.alloc(64, 16);
        driver.descriptor(driver.desc, 0, table, 20, 4, 0);
        driver.publish(0);
        refused(q, "multiple of 16");
    }

    @Test
    void anEmptyOrHugeIndirectTable() throws Exception {
        FakeDriver d = new FakeDriver(ram, 8);
        Virtqueue q = d.queue(2, false, true);
        d.descriptor(d.desc, 0, buf, 0, 4, 0);
        d.publish(0);
        refused(q, "indirect table of 0 bytes");
        FakeDriver e = new FakeDriver(ram, 8);
        Virtqueue r = e.queue(2, false, true);
        e.descriptor(e.desc, 0, buf, 16 * 9, 4, 0); // more entries than the queue size
        e.publish(0);
        refused(r, "at most 8 entries");
    }

    @Test
    void anIndirectTableOutsideGuestMemory() throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        driver.descriptor(driver.desc, 0, GuestRam.GPA + (1 << 20), 16, 4, 0);
        driver.publish(0);
        refused(q, "outside guest memory");
    }
}
