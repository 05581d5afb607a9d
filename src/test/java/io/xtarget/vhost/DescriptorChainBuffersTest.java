package io.xtarget.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The views a chain hands the stores for direct data-in and data-out: exactly the requested bytes
 * of the chain's checked segments, one view per guest segment, across regions, never beyond.
 */
class DescriptorChainBuffersTest {
    static final long LO = 0x10000;
    static final long HI = 0x11000;

    /** Two regions adjoining in guest memory (separate host memory); a table in the first. */
    record Guest(MemorySegment lo, MemorySegment hi, GuestMemory memory, MemorySegment table) {
        void descriptor(int i, long addr, int len, int flags, int next) {
            long at = 16L * i;
            table.set(FakeDriver.U64, at, addr);
            table.set(FakeDriver.U32, at + 8, len);
            table.set(FakeDriver.U16, at + 12, (short) flags);
            table.set(FakeDriver.U16, at + 14, (short) next);
        }

        byte at(long gpa) {
            return gpa < HI ? lo.get(ValueLayout.JAVA_BYTE, gpa - LO) : hi.get(ValueLayout.JAVA_BYTE, gpa - HI);
        }
    }

    static Guest guest(Arena a) {
        MemorySegment lo = a.allocate(4096);
        MemorySegment hi = a.allocate(4096);
        for (int i = 0; i < 4096; i++) {
            lo.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            hi.set(ValueLayout.JAVA_BYTE, i, (byte) (i + 4096 / 2));
        }
        GuestMemory m = GuestMemory.of(List.of(new GuestMemory.Region(LO, 4096, 0, lo),
                new GuestMemory.Region(HI, 4096, 4096, hi)));
        return new Guest(lo, hi, m, lo.asSlice(0, 16 * 8));
    }

    /** Header (51) + data-out (512, across the region boundary); response (108) + data-in (1024, across too). */
    static DescriptorChain walk(Guest g) throws DeviceException {
        g.descriptor(0, LO + 0x200, 51, DescriptorChain.F_NEXT, 1);
        g.descriptor(1, HI - 256, 512, DescriptorChain.F_NEXT, 2);
        g.descriptor(2, LO + 0x300, 108, DescriptorChain.F_NEXT | DescriptorChain.F_WRITE, 3);
        g.descriptor(3, HI - 512, 1024, DescriptorChain.F_WRITE, 0);
        return DescriptorChain.walk(g.memory(), g.table(), 8, 0, false, 1 << 20);
    }

    @Test
    void dataOutViewsFollowTheChainAcrossRegions() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            Guest g = guest(a);
            DescriptorChain c = walk(g);
            ByteBuffer[] out = c.readableBuffers(51, 512);
            assertThat(out).extracting(ByteBuffer::remaining).containsExactly(256, 256);
            assertThat(out).allMatch(ByteBuffer::isDirect);
            byte[] seen = new byte[512];
            out[0].get(seen, 0, 256);
            out[1].get(seen, 256, 256);
            for (int i = 0; i < 512; i++) {
                assertThat(seen[i]).as("byte " + i).isEqualTo(g.at(HI - 256 + i));
            }
            // a part of the range: from inside the header on, and a sub-range of the data
            assertThat(c.readableBuffers(50, 2)).extracting(ByteBuffer::remaining).containsExactly(1, 1);
            assertThat(c.readableBuffers(51 + 300, 10)).extracting(ByteBuffer::remaining).containsExactly(10);
        }
    }

    @Test
    void dataInViewsWriteExactlyTheGuestBuffers() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            Guest g = guest(a);
            DescriptorChain c = walk(g);
            byte before = g.at(HI - 513);
            byte after = g.at(HI + 512);
            ByteBuffer[] in = c.writableBuffers(VirtioScsi.RESPONSE_HEADER_BYTES, 1024);
            assertThat(in).extracting(ByteBuffer::remaining).containsExactly(512, 512);
            byte[] fill = new byte[512];
            Arrays.fill(fill, (byte) 0x5A);
            for (ByteBuffer b : in) {
                b.put(fill);
            }
            for (long gpa = HI - 512; gpa < HI + 512; gpa++) {
                assertThat(g.at(gpa)).isEqualTo((byte) 0x5A);
            }
            assertThat(g.at(HI - 513)).isEqualTo(before);
            assertThat(g.at(HI + 512)).isEqualTo(after);
        }
    }

    @Test
    void hostileOffsetsAndLengthsGetNoView() throws Exception {
        try (Arena a = Arena.ofConfined()) {
            DescriptorChain c = walk(guest(a));
            assertThat(c.readableBuffers(51, 513)).isNull(); // one byte beyond the part
            assertThat(c.writableBuffers(108, 1025)).isNull();
            assertThat(c.writableBuffers(108 + 1024, 1)).isNull();
            assertThat(c.readableBuffers(-1, 10)).isNull();
            assertThat(c.readableBuffers(0, -1)).isNull();
            assertThat(c.writableBuffers(Long.MAX_VALUE, 1)).isNull();
            assertThat(c.writableBuffers(108, Long.MAX_VALUE)).isNull();
            assertThat(c.writableBuffers(108, Integer.toUnsignedLong(-1))).isNull();
            assertThat(c.readableBuffers(563, 0)).isEmpty();
            assertThat(c.readableBuffers(Long.MAX_VALUE - 5, 10)).isNull(); // offset + length overflows
        }
    }
}
