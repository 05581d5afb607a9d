package io.xtarget.scsi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Large buffers whose memory is committed only as it is written: an anonymous private mapping
 * (Linux {@code mmap}, called through the FFM API), so a 32 MiB Data-Out buffer costs only the
 * pages the initiator's data actually filled, never the declared length; and it is returned to
 * the system at once ({@code munmap}) when released. Each mapping lives in its own shared
 * arena, so a stray access after release fails with an exception instead of touching unmapped
 * memory. Where mmap is not available, buffers come from {@link ByteBuffer#allocateDirect}.
 */
final class LazyMemory {
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        } catch (RuntimeException | LinkageError e) {
            mmap = munmap = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
    }

    /** Arenas of the live mappings, by base address. */
    private final ConcurrentHashMap<Long, Arena> live = new ConcurrentHashMap<>();

    /** A buffer of {@code size} bytes (position 0, limit size) whose pages are committed when first written. */
    ByteBuffer take(int size) {
        if (MMAP != null) {
            try {
                MemorySegment base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, (long) size, PROT_READ_WRITE,
                        MAP_PRIVATE_ANONYMOUS, -1, 0L);
                if (base.address() != -1L) {
                    Arena arena = Arena.ofShared();
                    long length = size;
                    MemorySegment seg = base.reinterpret(length, arena, s -> unmap(s, length));
                    live.put(seg.address(), arena);
                    return seg.asByteBuffer();
                }
            } catch (Throwable t) {
                // fall through to a plain direct buffer
            }
        }
        return ByteBuffer.allocateDirect(size);
    }

    /** Releases a buffer from {@link #take}; false when it is not one of ours. */
    boolean give(ByteBuffer b) {
        Arena arena = live.remove(MemorySegment.ofBuffer(b).address());
        if (arena == null) {
            return false;
        }
        arena.close();
        return true;
    }

    private static void unmap(MemorySegment s, long length) {
        try {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(s.address()), length);
        } catch (Throwable ignored) {
            // nothing more to do
        }
    }
}
