package io.xtarget.vhost;

import static io.xtarget.vhost.UnixFds.CAPTURE;
import static io.xtarget.vhost.UnixFds.I;
import static io.xtarget.vhost.UnixFds.L;
import static io.xtarget.vhost.UnixFds.P;
import static io.xtarget.vhost.UnixFds.call;
import static io.xtarget.vhost.UnixFds.errno;
import static io.xtarget.vhost.UnixFds.failure;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Unix stream socket through the FFM API, because vhost-user passes file descriptors as
 * SCM_RIGHTS ancillary data (unix(7)), which the JDK's SocketChannel cannot receive:
 * {@code recvmsg(2)} here returns them with the bytes they came with. Blocking calls; a thread
 * blocked in accept or recvmsg is released by {@link #shutdown} of that descriptor.
 */
final class UnixSockets {
    static final int AF_UNIX = 1;
    static final int SOCK_STREAM = 1;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_NOSIGNAL = 0x4000;
    static final int MSG_CTRUNC = 0x8;
    static final int SOL_SOCKET = 1;
    static final int SCM_RIGHTS = 1;
    static final int SHUT_RDWR = 2;
    static final int EINTR = 4;
    /** Longest socket path: sun_path holds 108 bytes with the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;
    /** Most descriptors one message may carry (VHOST_MEMORY_BASELINE_NREGIONS). */
    static final int MAX_FDS = 8;

    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(I, I, I, I));
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle LISTEN = call("listen", FunctionDescriptor.of(I, I, I));
    private static final MethodHandle ACCEPT4 = call("accept4", FunctionDescriptor.of(I, I, P, P, I));
    private static final MethodHandle CONNECT = call("connect", FunctionDescriptor.of(I, I, P, I));
    private static final MethodHandle RECVMSG = call("recvmsg", FunctionDescriptor.of(L, I, P, I));
    private static final MethodHandle SENDMSG = call("sendmsg", FunctionDescriptor.of(L, I, P, I));
    private static final MethodHandle SHUTDOWN = call("shutdown", FunctionDescriptor.of(I, I, I));

    private UnixSockets() {}

    /** A sockaddr_un for {@code path}; rejects paths sun_path cannot hold. */
    private static MemorySegment sockaddr(Arena a, String path) throws IOException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || p.length > MAX_PATH_BYTES) {
            throw new IOException("socket path of " + p.length + " bytes: must be 1 to " + MAX_PATH_BYTES);
        }
        MemorySegment sa = a.allocate(110);
        sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, sa, ValueLayout.JAVA_BYTE, 2, p.length);
        return sa;
    }

    /** A bound socket that does not listen yet: {@link #startListening} lets connections in. */
    static int bind(String path) throws IOException {
        return socketAt(BIND, "bind", path);
    }

    /**
     * A new stream socket (close-on-exec) given to {@code call} (bind(2) or connect(2), which take
     * the same arguments: fd, sockaddr, its length) with {@code path}'s address; the socket is
     * closed when the call fails, and the failure names {@code verb} and the path.
     */
    private static int socketAt(MethodHandle call, String verb, String path) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment sa = sockaddr(a, path);
            int fd = (int) SOCKET.invokeExact(st, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket", errno(st));
            }
            if ((int) call.invokeExact(st, fd, sa, (int) sa.byteSize()) != 0) {
                int e = errno(st);
                UnixFds.closeQuietly(fd);
                throw failure(verb + " " + path, e);
            }
            return fd;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    static void startListening(int fd, int backlog) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            if ((int) LISTEN.invokeExact(st, fd, backlog) != 0) {
                throw failure("listen", errno(st));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Blocks for the next connection; after {@link #shutdown} of the listener it fails. */
    static int accept(int listenFd) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            while (true) {
                int fd = (int) ACCEPT4.invokeExact(st, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
                if (fd >= 0) {
                    return fd;
                }
                int e = errno(st);
                if (e != EINTR) {
                    throw failure("accept", e);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** A connected client socket (tests play the front-end with it). */
    static int connect(String path) throws IOException {
        return socketAt(CONNECT, "connect", path);
    }

    /**
     * Reads up to {@code dst.byteSize()} bytes; descriptors that came with them (SCM_RIGHTS) are
     * appended to {@code fds}. A message whose descriptors did not fit (MSG_CTRUNC) or that carries
     * more than {@link #MAX_FDS} fails, its descriptors closed.
     *
     * @return the bytes read, 0 at end of stream
     */
    static int recv(int fd, MemorySegment dst, List<Integer> fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            MemorySegment iov = a.allocate(16, 8);
            iov.set(P, 0, dst);
            iov.set(L, 8, dst.byteSize());
            long controlLen = 16 + 4L * MAX_FDS; // CMSG_SPACE(8 ints), already 8-aligned
            MemorySegment control = a.allocate(controlLen, 8);
            MemorySegment msg = a.allocate(56, 8);
            msg.set(P, 16, iov);
            msg.set(L, 24, 1L);
            msg.set(P, 32, control);
            msg.set(L, 40, controlLen);
            long n;
            while (true) {
                n = (long) RECVMSG.invokeExact(st, fd, msg, MSG_CMSG_CLOEXEC);
                if (n >= 0) {
                    break;
                }
                int e = errno(st);
                if (e != EINTR) {
                    throw failure("recvmsg", e);
                }
            }
            List<Integer> got = descriptors(msg, control);
            if ((msg.get(I, 48) & MSG_CTRUNC) != 0 || fds.size() + got.size() > MAX_FDS) {
                got.forEach(UnixFds::closeQuietly);
                throw new IOException("more than " + MAX_FDS + " file descriptors in one message");
            }
            fds.addAll(got);
            return (int) n;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** The descriptors of every SCM_RIGHTS control message received. */
    private static List<Integer> descriptors(MemorySegment msg, MemorySegment control) {
        List<Integer> out = new ArrayList<>();
        long used = msg.get(L, 40);
        long off = 0;
        while (off + 16 <= used) {
            long len = control.get(L, off);
            if (len < 16 || off + len > used) {
                break;
            }
            int level = control.get(I, off + 8);
            int type = control.get(I, off + 12);
            if (level == SOL_SOCKET && type == SCM_RIGHTS) {
                for (long p = off + 16; p + 4 <= off + len; p += 4) {
                    out.add(control.get(I, p));
                }
            }
            off += (len + 7) & ~7L;
        }
        return out;
    }

    /** Writes all of {@code src}, with {@code fds} as SCM_RIGHTS on the first chunk. */
    static void send(int fd, MemorySegment src, int... fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = a.allocate(CAPTURE);
            long off = 0;
            boolean first = true;
            do {
                MemorySegment iov = a.allocate(16, 8);
                iov.set(P, 0, src.asSlice(off));
                iov.set(L, 8, src.byteSize() - off);
                MemorySegment msg = a.allocate(56, 8);
                msg.set(P, 16, iov);
                msg.set(L, 24, 1L);
                if (first && fds.length > 0) {
                    long len = 16 + 4L * fds.length;
                    MemorySegment control = a.allocate((len + 7) & ~7L, 8);
                    control.set(L, 0, len);
                    control.set(I, 8, SOL_SOCKET);
                    control.set(I, 12, SCM_RIGHTS);
                    for (int i = 0; i < fds.length; i++) {
                        control.set(I, 16 + 4L * i, fds[i]);
                    }
                    msg.set(P, 32, control);
                    msg.set(L, 40, control.byteSize());
                }
                long n = (long) SENDMSG.invokeExact(st, fd, msg, MSG_NOSIGNAL);
                if (n < 0) {
                    int e = errno(st);
                    if (e == EINTR) {
                        continue;
                    }
                    throw failure("sendmsg", e);
                }
                first = false;
                off += n;
            } while (off < src.byteSize());
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Ends both directions: a thread blocked in accept or recvmsg on {@code fd} returns. */
    static void shutdown(int fd) {
        try {
            MemorySegment st = Arena.ofAuto().allocate(CAPTURE);
            int ignored = (int) SHUTDOWN.invokeExact(st, fd, SHUT_RDWR);
        } catch (Throwable t) {
            // nothing to do
        }
    }
}
