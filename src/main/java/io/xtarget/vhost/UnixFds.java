package io.xtarget.vhost;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The Linux system calls vhost-user needs and the JDK does not offer, called through the FFM API
 * (java.lang.foreign): {@code mmap(2)} of the descriptors the front-end passes, {@code eventfd(2)}
 * for kicks and calls, {@code poll(2)}; the socket calls are in {@link UnixSockets}. Every call
 * reports failure as an IOException carrying errno; EINTR is retried. Linux LP64 layouts.
 */
final class UnixFds {
    static final short POLLIN = 0x1;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final int PROT_READ_WRITE = 0x1 | 0x2;
    static final int MAP_SHARED = 0x1;
    static final int SEEK_END = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout P = ValueLayout.ADDRESS;

    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(I, I));
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(L, I, P, L));
    private static final MethodHandle POLL = call("poll", FunctionDescriptor.of(I, P, L, I));
    private static final MethodHandle EVENTFD = call("eventfd", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle MMAP = call("mmap", FunctionDescriptor.of(P, P, L, I, I, I, L));
    private static final MethodHandle MUNMAP = call("munmap", FunctionDescriptor.of(I, P, L));
    private static final MethodHandle LSEEK = call("lseek", FunctionDescriptor.of(L, I, L, I));
    private static final MethodHandle MEMFD_CREATE = call("memfd_create", FunctionDescriptor.of(I, P, I));
    private static final MethodHandle FTRUNCATE = call("ftruncate", FunctionDescriptor.of(I, I, L));
    /** fcntl(fd, cmd, int): variadic after the command. */
    private static final MethodHandle FCNTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("fcntl").orElseThrow(() -> new UnsatisfiedLinkError("libc has no fcntl")),
            FunctionDescriptor.of(I, I, I, I), ERRNO_OPT, Linker.Option.firstVariadicArg(2));
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 0x800;

    private UnixFds() {}

    static MethodHandle call(String name, FunctionDescriptor d) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, d, ERRNO_OPT);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static IOException failure(String what, int errno) {
        return new IOException(what + " failed: errno " + errno + " (" + ErrnoText.of(errno) + ")");
    }

    static void close(int fd) throws IOException {
        try {
            MemorySegment st = Arena.ofAuto().allocate(CAPTURE);
            if ((int) CLOSE.invokeExact(st, fd) != 0) {
                int e = errno(st);
                if (e != EINTR) {
                    throw failure("close", e);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (IOException e) {
            // already gone
        }
    }

    /** One 8-byte eventfd value; -1 when nothing was there (EAGAIN on a non-blocking fd). */
    static long read8(int fd, MemorySegment buf) throws IOException {
        MemorySegment st = CallState.get();
        while (true) {
            long n;
            try {
                n = (long) READ.invokeExact(st, fd, buf, 8L);
            } catch (Throwable t) {
                throw new IOException(t);
            }
            if (n == 8) {
                return buf.get(L, 0);
            }
            int e = n < 0 ? errno(st) : 0;
            if (e == EINTR) {
                continue;
            }
            if (e == EAGAIN) {
                return -1;
            }
            throw n < 0 ? failure("read", e) : new IOException("short eventfd read of " + n + " bytes");
        }
    }

    /** Adds {@code value} to an eventfd (signals it). */
    static void write8(int fd, MemorySegment buf, long value) throws IOException {
        buf.set(L, 0, value);
        MemorySegment st = CallState.get();
        while (true) {
            long n;
            try {
                n = (long) WRITE.invokeExact(st, fd, buf, 8L);
            } catch (Throwable t) {
                throw new IOException(t);
            }
            if (n == 8) {
                return;
            }
            int e = n < 0 ? errno(st) : 0;
            if (e == EINTR) {
                continue;
            }
            if (e == EAGAIN) {
                return; // the counter is saturated: the reader is signalled anyway
            }
            throw n < 0 ? failure("write", e) : new IOException("short eventfd write");
        }
    }

    /**
     * Sets O_NONBLOCK on {@code fd}'s open file description (shared with the sender's copy: a
     * front-end's eventfds are non-blocking on its side too, QEMU creates them so), so a write to
     * a counter someone saturated returns EAGAIN instead of parking the writing thread.
     */
    static void setNonBlocking(int fd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int flags = (int) FCNTL.invokeExact(st, fd, F_GETFL, 0);
            if (flags < 0) {
                throw failure("fcntl(F_GETFL)", errno(st));
            }
            if ((flags & O_NONBLOCK) == 0 && (int) FCNTL.invokeExact(st, fd, F_SETFL, flags | O_NONBLOCK) < 0) {
                throw failure("fcntl(F_SETFL, O_NONBLOCK)", errno(st));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    static int eventfd(int flags) throws IOException {
        MemorySegment st = CallState.get();
        try {
            int fd = (int) EVENTFD.invokeExact(st, 0, flags);
            if (fd < 0) {
                throw failure("eventfd", errno(st));
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /**
     * Waits until one of {@code fds} is readable (or hung up), at most {@code timeoutMillis}.
     *
     * @return per descriptor whether it is ready; all false on timeout or EINTR
     */
    static boolean[] poll(int[] fds, int timeoutMillis) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment pfd = a.allocate(8L * Math.max(1, fds.length), 4);
            for (int i = 0; i < fds.length; i++) {
                pfd.set(I, 8L * i, fds[i]);
                pfd.set(ValueLayout.JAVA_SHORT, 8L * i + 4, POLLIN);
            }
            int n = (int) POLL.invokeExact(st, pfd, (long) fds.length, timeoutMillis);
            boolean[] ready = new boolean[fds.length];
            if (n < 0) {
                int e = errno(st);
                if (e == EINTR) {
                    return ready;
                }
                throw failure("poll", e);
            }
            for (int i = 0; i < fds.length && n > 0; i++) {
                ready[i] = pfd.get(ValueLayout.JAVA_SHORT, 8L * i + 6) != 0;
            }
            return ready;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** mmap(NULL, length, READ|WRITE, MAP_SHARED, fd, offset); offset must be page aligned. */
    static MemorySegment mmapShared(int fd, long length, long offset) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment p = (MemorySegment) MMAP.invokeExact(st, MemorySegment.NULL, length, PROT_READ_WRITE,
                    MAP_SHARED, fd, offset);
            if (p.address() == -1L) {
                throw failure("mmap of " + length + " bytes at offset " + offset, errno(st));
            }
            return p;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    static void munmap(long address, long length) {
        try {
            MemorySegment st = Arena.ofAuto().allocate(CAPTURE);
            int ignored = (int) MUNMAP.invokeExact(st, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            // nothing to do
        }
    }

    /** The size of the file behind {@code fd} (lseek to its end). */
    static long fileSize(int fd) throws IOException {
        try {
            MemorySegment st = Arena.ofAuto().allocate(CAPTURE);
            long n = (long) LSEEK.invokeExact(st, fd, 0L, SEEK_END);
            if (n < 0) {
                throw failure("lseek", errno(st));
            }
            return n;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** An anonymous shared memory file of {@code size} bytes (tests use it as guest RAM). */
    static int memfd(String name, long size) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            int fd = (int) MEMFD_CREATE.invokeExact(st, a.allocateFrom(name), 1 /* MFD_CLOEXEC */);
            if (fd < 0) {
                throw failure("memfd_create", errno(st));
            }
            if ((int) FTRUNCATE.invokeExact(st, fd, size) != 0) {
                int e = errno(st);
                close(fd);
                throw failure("ftruncate", e);
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Per-thread errno capture for the calls of the data path (eventfd signals). */
    private static final class CallState {
        private static final ThreadLocal<MemorySegment> STATE =
                ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE));

        static MemorySegment get() {
            return STATE.get();
        }
    }
}
