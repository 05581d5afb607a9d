package io.xtarget.vhost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One vhost-user message (vhost-user "Message Specification"): a 12-byte header of request,
 * flags (version 0x1 in bits 0-1, reply in bit 2, need_reply in bit 3) and payload size, the
 * payload, and the file descriptors that came with it as ancillary data. Numbers are in the
 * machine's byte order, which for the hosts we run on is little-endian.
 *
 * @param request the request type ({@link VhostUserRequest})
 * @param flags the header flags
 * @param payload the payload bytes
 * @param fds descriptors received with the message; whoever handles it adopts or closes each one
 */
record VhostUserMessage(int request, int flags, byte[] payload, List<Integer> fds) {
    static final int HEADER_BYTES = 12;
    static final int VERSION = 0x1;
    static final int VERSION_MASK = 0x3;
    static final int FLAG_REPLY = 0x4;
    static final int FLAG_NEED_REPLY = 0x8;
    /**
     * Largest payload accepted. The largest message we handle is VHOST_USER_GET_CONFIG (12 + at
     * most 256 bytes); the memory table is 8 + 8 * 32 bytes.
     */
    static final int MAX_PAYLOAD = 4096;

    VhostUserMessage {
        fds = List.copyOf(fds);
    }

    /** The payload as a little-endian buffer positioned at 0. */
    ByteBuffer body() {
        return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    }

    boolean needsReply() {
        return (flags & FLAG_NEED_REPLY) != 0;
    }

    /** Refuses a payload whose size is not exactly {@code n} bytes. */
    void requireSize(int n) throws DeviceException {
        if (payload.length != n) {
            throw new DeviceException(VhostUserRequest.name(request) + " with a payload of " + payload.length
                    + " bytes (expected " + n + ")");
        }
    }

    /** Refuses descriptors a request does not take, or a missing one it does. */
    void requireFds(int n) throws DeviceException {
        if (fds.size() != n) {
            throw new DeviceException(VhostUserRequest.name(request) + " with " + fds.size()
                    + " file descriptor(s) (expected " + n + ")");
        }
    }

    /** The u64 payload of requests that carry one. */
    long u64() throws DeviceException {
        requireSize(8);
        return body().getLong(0);
    }

    /**
     * Checks a header (12 bytes, little-endian) and returns the payload size it announces:
     * version 1, no reply flag in a request, size at most {@link #MAX_PAYLOAD}.
     */
    static int checkHeader(ByteBuffer h) throws DeviceException {
        int request = h.getInt(0);
        int flags = h.getInt(4);
        int size = h.getInt(8);
        if ((flags & VERSION_MASK) != VERSION) {
            throw new DeviceException("message version " + (flags & VERSION_MASK) + " (expected 1)");
        }
        if ((flags & FLAG_REPLY) != 0) {
            throw new DeviceException("a reply (" + VhostUserRequest.name(request) + ") where a request was expected");
        }
        if (size < 0 || size > MAX_PAYLOAD) {
            throw new DeviceException(VhostUserRequest.name(request) + " announces a payload of "
                    + Integer.toUnsignedString(size) + " bytes (at most " + MAX_PAYLOAD + ")");
        }
        return size;
    }

    /** The bytes of a reply to {@code request}: its header (version 1, reply flag) and payload. */
    static byte[] reply(int request, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(request).putInt(VERSION | FLAG_REPLY).putInt(payload.length).put(payload);
        return b.array();
    }

    /** The bytes of a request (tests play the front-end with it). */
    static byte[] request(int request, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(request).putInt(VERSION | flags).putInt(payload.length).put(payload);
        return b.array();
    }

    /** A u64 payload. */
    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    @Override
    public String toString() {
        return VhostUserRequest.name(request) + " (" + payload.length + " bytes, " + fds.size() + " fds)";
    }
}
