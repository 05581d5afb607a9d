package io.xtarget.vhost;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A vhost-user front-end for tests, playing QEMU's part: connects to a controller's socket,
 * shares guest RAM from a memfd, sets up rings and kicks them; {@link FakeDriver}s fill the rings
 * as the guest's virtio-scsi driver would.
 */
final class FakeFrontEnd implements AutoCloseable {
    static final long RAM = 4L << 20;
    final int fd;
    final int memfd;
    final GuestRam ram;
    final List<Eventfd> kicks = new ArrayList<>();
    final List<Eventfd> calls = new ArrayList<>();
    final List<FakeDriver> drivers = new ArrayList<>();

    FakeFrontEnd(String socket) throws IOException {
        this(socket, "guest");
    }

    /** @param memfdName the name of the guest RAM's memfd, as /proc/self/maps shows it ("memfd:" and the name) */
    FakeFrontEnd(String socket, String memfdName) throws IOException {
        fd = UnixSockets.connect(socket);
        memfd = UnixFds.memfd(memfdName, RAM);
        ram = new GuestRam(memfd, RAM);
    }

    /** Sends a request (version 1 unless {@code flags} says otherwise) with descriptors. */
    void send(int request, int flags, byte[] payload, int... fds) throws IOException {
        byte[] b = VhostUserMessage.request(request, flags, payload);
        sendRaw(b, fds);
    }

    void sendRaw(byte[] bytes, int... fds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, m, ValueLayout.JAVA_BYTE, 0, bytes.length);
            UnixSockets.send(fd, m, fds);
        }
    }

    /** The payload of the next reply, or null when the back-end closed the connection. */
    byte[] reply() throws IOException {
        byte[] h = readFully(12);
        if (h == null) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        if ((b.getInt(4) & 0x7) != 0x5) {
            throw new IOException("not a version 1 reply: flags " + b.getInt(4));
        }
        return readFully(b.getInt(8));
    }

    /** Whether the back-end closed the connection (reads until end of stream). */
    boolean closedByBackEnd() throws IOException {
        return readFully(1) == null;
    }

    private byte[] readFully(int n) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(Math.max(1, n));
            int off = 0;
            while (off < n) {
                int got = UnixSockets.recv(fd, m.asSlice(off, n - off), new ArrayList<>());
                if (got == 0) {
                    return null;
                }
                off += got;
            }
            return m.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    long getU64(int request) throws IOException {
        send(request, 0, new byte[0]);
        return ByteBuffer.wrap(reply()).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static byte[] state(int index, int num) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(index).putInt(num).array();
    }

    /** Negotiates features like QEMU's vhost-user-scsi and shares the memory table. */
    void handshake(long features, long protocol) throws IOException {
        getU64(VhostUserRequest.GET_FEATURES);
        getU64(VhostUserRequest.GET_PROTOCOL_FEATURES);
        send(VhostUserRequest.SET_PROTOCOL_FEATURES, 0, VhostUserMessage.u64(protocol));
        send(VhostUserRequest.SET_OWNER, 0, new byte[0]);
        send(VhostUserRequest.SET_FEATURES, 0, VhostUserMessage.u64(features));
        ByteBuffer t = ByteBuffer.allocate(8 + 32).order(ByteOrder.LITTLE_ENDIAN);
        t.putInt(1).putInt(0).putLong(GuestRam.GPA).putLong(RAM).putLong(GuestRam.UVA).putLong(0);
        send(VhostUserRequest.SET_MEM_TABLE, 0, t.array(), memfd);
    }

    /** Sets up ring {@code index} on a driver of {@code size} entries and starts it. */
    FakeDriver ring(int index, int size) throws IOException {
        FakeDriver d = new FakeDriver(ram, size);
        send(VhostUserRequest.SET_VRING_NUM, 0, state(index, size));
        send(VhostUserRequest.SET_VRING_BASE, 0, state(index, 0));
        ByteBuffer a = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        a.putInt(index).putInt(0).putLong(GuestRam.user(d.desc)).putLong(GuestRam.user(d.used))
                .putLong(GuestRam.user(d.avail)).putLong(0);
        send(VhostUserRequest.SET_VRING_ADDR, 0, a.array());
        Eventfd kick = Eventfd.create();
        Eventfd call = Eventfd.create();
        send(VhostUserRequest.SET_VRING_KICK, 0, VhostUserMessage.u64(index), kick.fd());
        send(VhostUserRequest.SET_VRING_CALL, 0, VhostUserMessage.u64(index), call.fd());
        send(VhostUserRequest.SET_VRING_ENABLE, 0, state(index, 1));
        while (kicks.size() <= index) {
            kicks.add(null);
            calls.add(null);
            drivers.add(null);
        }
        kicks.set(index, kick);
        calls.set(index, call);
        drivers.set(index, d);
        return d;
    }

    void kick(int index) throws IOException {
        kicks.get(index).signal();
    }

    /** Waits until ring {@code index} has {@code usedIdx} used entries; false after 5 s. */
    boolean awaitUsed(int index, int usedIdx) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < end) {
            if (drivers.get(index).usedIdx() == usedIdx) {
                return true;
            }
            Thread.sleep(2);
        }
        return false;
    }

    @Override
    public void close() {
        UnixFds.closeQuietly(fd);
        kicks.forEach(k -> {
            if (k != null) {
                k.close();
            }
        });
        calls.forEach(c -> {
            if (c != null) {
                c.close();
            }
        });
        ram.close();
        UnixFds.closeQuietly(memfd);
    }
}
