package io.xtarget.vhost;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Guest memory for tests: one region of RAM the test fills the way a virtio driver would, seen by
 * the device at guest physical address {@link #GPA} and by the "front-end" at user address
 * {@link #UVA}. A simple bump allocator hands out guest buffers.
 */
final class GuestRam implements AutoCloseable {
    static final long GPA = 0x10_0000L;
    static final long UVA = 0x7f00_0000_0000L;

    final Arena arena = Arena.ofShared();
    final MemorySegment ram;
    final GuestMemory memory;
    private long next = 0x1000;

    GuestRam(long size) {
        ram = arena.allocate(size, 4096);
        ram.fill((byte) 0);
        memory = GuestMemory.of(List.of(new GuestMemory.Region(GPA, size, UVA, ram)));
    }

    /** RAM in a memfd, shared with the device through VHOST_USER_SET_MEM_TABLE. */
    GuestRam(int memfd, long size) throws java.io.IOException {
        MemorySegment raw = UnixFds.mmapShared(memfd, size, 0);
        long base = raw.address();
        ram = raw.reinterpret(size, arena, s -> UnixFds.munmap(base, size));
        memory = GuestMemory.of(List.of(new GuestMemory.Region(GPA, size, UVA, ram)));
    }

    /** A guest buffer of {@code n} bytes, aligned to {@code align}: its guest physical address. */
    long alloc(long n, long align) {
        next = (next + align - 1) / align * align;
        long at = next;
        next += n;
        if (next > ram.byteSize()) {
            throw new IllegalStateException("test guest RAM exhausted");
        }
        return GPA + at;
    }

    MemorySegment at(long gpa, long n) {
        return ram.asSlice(gpa - GPA, n);
    }

    static long user(long gpa) {
        return gpa - GPA + UVA;
    }

    void put(long gpa, byte[] bytes) {
        MemorySegment.copy(bytes, 0, ram, ValueLayout.JAVA_BYTE, gpa - GPA, bytes.length);
    }

    byte[] get(long gpa, int n) {
        byte[] b = new byte[n];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, gpa - GPA, b, 0, n);
        return b;
    }

    @Override
    public void close() {
        arena.close();
    }
}
