package io.xtarget.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * How much space a file occupies on its file system (st_blocks x 512), which for a sparse image
 * is what it has allocated so far. The JDK's file attributes do not expose st_blocks, so this
 * calls Linux {@code statx(2)} through the FFM API; its {@code struct statx} has the same layout
 * on every architecture (unlike {@code struct stat}).
 */
final class FileAllocation {
    private static final int AT_FDCWD = -100;
    private static final int STATX_BLOCKS = 0x400;
    private static final int STATX_SIZE = 256;
    private static final long OFFSET_MASK = 0;
    private static final long OFFSET_BLOCKS = 48;

    private static final MethodHandle STATX;

    static {
        MethodHandle statx = null;
        try {
            Linker linker = Linker.nativeLinker();
            statx = linker.defaultLookup().find("statx").map(addr -> linker.downcallHandle(addr,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS))).orElse(null);
        } catch (RuntimeException | LinkageError e) {
            statx = null; // not Linux/glibc, or native access denied
        }
        STATX = statx;
    }

    private FileAllocation() {}

    /** Bytes allocated to {@code path}, or -1 when this platform cannot tell. */
    static long allocatedBytes(Path path) {
        if (STATX == null) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toAbsolutePath().toString());
            MemorySegment buf = arena.allocate(STATX_SIZE, 8);
            int rc = (int) STATX.invokeExact(AT_FDCWD, name, 0, STATX_BLOCKS, buf);
            if (rc != 0 || (buf.get(ValueLayout.JAVA_INT, OFFSET_MASK) & STATX_BLOCKS) == 0) {
                return -1;
            }
            return buf.get(ValueLayout.JAVA_LONG, OFFSET_BLOCKS) * 512;
        } catch (Throwable t) {
            return -1;
        }
    }
}
