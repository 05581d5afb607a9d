package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The virtio-scsi request and response headers (virtio 1.1 5.6.6.1) in guest memory. */
class VirtioScsiRequestTest {
    private final GuestRam ram = new GuestRam(1 << 20);
    private final FakeDriver driver = new FakeDriver(ram, 16);

    @AfterEach
    void close() {
        ram.close();
    }

    private DescriptorChain chain(byte[] header, int... more) throws Exception {
        Virtqueue q = driver.queue(2, false, true);
        List<FakeDriver.Buf> bufs = new java.util.ArrayList<>();
        // the header split over two descriptors, as nothing in virtio 1.x forbids
        long h = ram.alloc(header.length, 8);
        ram.put(h, header);
        bufs.add(new FakeDriver.Buf(h, 10, false));
        bufs.add(new FakeDriver.Buf(h + 10, header.length - 10, false));
        bufs.addAll(driver.bufs(more));
        driver.publish(driver.indirectChain(bufs));
        return q.pop().chain();
    }

    @Test
    void parsesTheHeaderAcrossDescriptors() throws Exception {
        byte[] cdb = new byte[32];
        cdb[0] = 0x28;
        cdb[31] = 0x55;
        byte[] h = VirtioScsiGuest.header(0, 300, 0x1122334455667788L, cdb);
        h[16] = VirtioScsi.S_ORDERED;
        h[17] = 5;
        h[18] = 9;
        DescriptorChain c = chain(h, 4096, -108, -4096);
        VirtioScsiRequest r = VirtioScsiRequest.parse(c);
        assertThat(r.ourTarget()).isTrue();
        assertThat(r.lun()).isEqualTo(300);
        assertThat(r.tag()).isEqualTo(0x1122334455667788L);
        assertThat(r.taskAttr()).isEqualTo(VirtioScsi.S_ORDERED);
        assertThat(r.prio()).isEqualTo(5);
        assertThat(r.crn()).isEqualTo(9);
        assertThat(r.cdb()).hasSize(32).startsWith(0x28).endsWith(0x55);
        assertThat(VirtioScsiRequest.dataOutLength(c)).isEqualTo(4096);
        assertThat(VirtioScsiRequest.dataInCapacity(c)).isEqualTo(4096);
    }

    @Test
    void lunAddressing() throws Exception {
        byte[] h = VirtioScsiGuest.header(0, 0, 1, new byte[32]);
        h[2] = 0;
        h[3] = 7; // peripheral device addressing
        assertThat(VirtioScsiRequest.lun(h, 0)).isEqualTo(7);
        h[2] = (byte) 0x80; // logical unit addressing: not ours
        assertThat(VirtioScsiRequest.lun(h, 0)).isEqualTo(-1);
        h[2] = 0x40;
        h[7] = 1; // a second level: no such LUN
        assertThat(VirtioScsiRequest.lun(h, 0)).isEqualTo(-1);
        byte[] t = VirtioScsiGuest.header(3, 0, 1, new byte[32]);
        assertThat(VirtioScsiRequest.parse(chain(t, -108)).ourTarget()).isFalse();
        t[0] = 2;
        t[1] = 0;
        assertThat(VirtioScsiRequest.parse(new FakeDriverChain(t).chain()).ourTarget()).isFalse();
    }

    @Test
    void aRequestTooShortForItsHeadersBreaksTheDevice() throws Exception {
        byte[] h = VirtioScsiGuest.header(0, 0, 1, new byte[32]);
        assertThatThrownBy(() -> VirtioScsiRequest.parse(chain(java.util.Arrays.copyOf(h, 40), -108)))
                .isInstanceOf(DeviceException.class).hasMessageContaining("headers need 51 and 108");
    }

    @Test
    void aResponseTooShortBreaksTheDevice() throws Exception {
        byte[] h = VirtioScsiGuest.header(0, 0, 1, new byte[32]);
        assertThatThrownBy(() -> VirtioScsiRequest.parse(chain(h, -100))).isInstanceOf(DeviceException.class);
    }

    @Test
    void writesTheResponseHeaderWithSenseCutToSenseSize() throws Exception {
        DescriptorChain c = chain(VirtioScsiGuest.header(0, 0, 1, new byte[32]), -50, -58, -64);
        byte[] sense = new byte[200];
        sense[0] = 0x70;
        sense[199] = 1;
        VirtioScsiRequest.writeResponse(c, VirtioScsi.S_OVERRUN, 2, sense, 17);
        byte[] out = new byte[108];
        int at = 0;
        for (java.lang.foreign.MemorySegment s : c.writableSegments()) {
            int n = (int) Math.min(s.byteSize(), 108 - at);
            java.lang.foreign.MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, out, at, n);
            at += n;
            if (at == 108) {
                break;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(96);
        assertThat(b.getInt(4)).isEqualTo(17);
        assertThat(b.get(10)).isEqualTo((byte) 2);
        assertThat(b.get(11)).isEqualTo((byte) VirtioScsi.S_OVERRUN);
        assertThat(b.get(12)).isEqualTo((byte) 0x70);
    }

    /** A chain of just {@code header} and a response buffer on a queue of its own. */
    private final class FakeDriverChain {
        private final byte[] header;

        FakeDriverChain(byte[] header) {
            this.header = header;
        }

        DescriptorChain chain() throws Exception {
            FakeDriver d = new FakeDriver(ram, 4);
            Virtqueue q = d.queue(2, false, false);
            long h = ram.alloc(header.length, 8);
            ram.put(h, header);
            d.publish(d.chain(List.of(new FakeDriver.Buf(h, header.length, false),
                    new FakeDriver.Buf(ram.alloc(108, 8), 108, true))));
            return q.pop().chain();
        }
    }
}
