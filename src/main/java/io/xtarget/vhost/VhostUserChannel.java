package io.xtarget.vhost;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The framing of vhost-user on one connected Unix socket: reads whole messages (header, then
 * exactly the announced payload, every size bounded by {@link VhostUserMessage#checkHeader}) with
 * the descriptors that came with them, and writes replies. Only the session's own thread reads
 * and writes; {@link #shutdown} may be called from anywhere to end a blocked read.
 */
final class VhostUserChannel implements AutoCloseable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment header = arena.allocate(VhostUserMessage.HEADER_BYTES, 8);
    private final MemorySegment payload = arena.allocate(VhostUserMessage.MAX_PAYLOAD, 8);
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Adopts a connected socket descriptor. */
    VhostUserChannel(int fd) {
        this.fd = fd;
    }

    /**
     * The next message, or null when the front-end closed the connection between messages. A
     * connection that ends inside a message, or a malformed header, is a {@link DeviceException};
     * descriptors received with a refused message are closed.
     */
    VhostUserMessage read() throws IOException, DeviceException {
        List<Integer> fds = new ArrayList<>();
        try {
            if (!fill(header, VhostUserMessage.HEADER_BYTES, fds, true)) {
                fds.forEach(UnixFds::closeQuietly);
                return null;
            }
            int size = VhostUserMessage.checkHeader(header.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            fill(payload, size, fds, false);
            byte[] body = payload.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE);
            return new VhostUserMessage(header.get(ValueLayout.JAVA_INT, 0), header.get(ValueLayout.JAVA_INT, 4),
                    body, fds);
        } catch (IOException | DeviceException | RuntimeException e) {
            fds.forEach(UnixFds::closeQuietly);
            throw e;
        }
    }

    /** Reads exactly {@code n} bytes; false when the stream ended before the first one and that is allowed. */
    private boolean fill(MemorySegment buf, int n, List<Integer> fds, boolean endAllowed)
            throws IOException, DeviceException {
        int off = 0;
        while (off < n) {
            int got = UnixSockets.recv(fd, buf.asSlice(off, n - off), fds);
            if (got == 0) {
                if (off == 0 && endAllowed) {
                    return false;
                }
                throw new DeviceException("connection ended inside a message (" + off + " of " + n + " bytes)");
            }
            off += got;
        }
        return true;
    }

    /** Writes a whole reply. */
    void send(byte[] bytes) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
            UnixSockets.send(fd, m);
        }
    }

    /** Ends the connection both ways: a read blocked on it returns end of stream. */
    synchronized void shutdown() {
        if (!closed.get()) {
            UnixSockets.shutdown(fd);
        }
    }

    /** Closes the socket; only the thread that reads may call it. */
    @Override
    public synchronized void close() {
        if (closed.compareAndSet(false, true)) {
            UnixFds.closeQuietly(fd);
            arena.close();
        }
    }
}
