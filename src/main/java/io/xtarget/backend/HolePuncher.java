package io.xtarget.backend;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Deallocates byte ranges of a file with Linux {@code fallocate(FALLOC_FL_PUNCH_HOLE |
 * FALLOC_FL_KEEP_SIZE)}, called through the FFM API: UNMAP then gives the space back to the file
 * system, and the range reads as zeros (LBPRZ holds). The JDK's FileChannel has no such call and
 * does not expose its descriptor, so the puncher opens the file a second time.
 */
final class HolePuncher implements AutoCloseable {
    private static final int O_RDWR = 2;
    private static final int FALLOC_FL_KEEP_SIZE = 0x01;
    private static final int FALLOC_FL_PUNCH_HOLE = 0x02;

    private static final MethodHandle OPEN;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle CLOSE;

    static {
        MethodHandle open = null;
        MethodHandle fallocate = null;
        MethodHandle close = null;
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            open = linker.downcallHandle(libc.find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
            fallocate = linker.downcallHandle(libc.find("fallocate").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG));
            close = linker.downcallHandle(libc.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        } catch (RuntimeException | LinkageError e) {
            // not Linux/glibc, or native access denied: stores fall back to writing zeros
            open = fallocate = close = null;
        }
        OPEN = open;
        FALLOCATE = fallocate;
        CLOSE = close;
    }

    private final int fd;
    private volatile boolean supported = true;

    private HolePuncher(int fd) {
        this.fd = fd;
    }

    /** A puncher for {@code path}, or null when this platform cannot punch holes. */
    static HolePuncher open(Path path) {
        if (OPEN == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(path.toAbsolutePath().toString());
            int fd = (int) OPEN.invokeExact(name, O_RDWR);
            return fd < 0 ? null : new HolePuncher(fd);
        } catch (Throwable t) {
            return null;
        }
    }

    /**
     * Punches [offset, offset + length). Returns false when the file system does not support it
     * (then it is not tried again) so the caller writes zeros instead.
     */
    boolean punch(long offset, long length) throws IOException {
        if (!supported || length <= 0) {
            return supported;
        }
        int rc;
        try {
            rc = (int) FALLOCATE.invokeExact(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
        } catch (Throwable t) {
            throw new IOException("fallocate failed", t);
        }
        if (rc != 0) {
            supported = false; // EOPNOTSUPP and friends: fall back for good
        }
        return rc == 0;
    }

    @Override
    public void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable ignored) {
            // closing anyway
        }
    }
}
