package io.xtarget.iscsi.pdu;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/** An in-memory byte channel: reads come from a fixed array (then EOF), writes are collected. */
final class MemoryChannel implements ByteChannel {
    private final byte[] in;
    private final int chunk;
    private int pos;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** @param chunk at most this many bytes per read call, to exercise partial reads */
    MemoryChannel(byte[] in, int chunk) {
        this.in = in;
        this.chunk = chunk;
    }

    MemoryChannel(byte[] in) {
        this(in, Integer.MAX_VALUE);
    }

    int consumed() {
        return pos;
    }

    @Override
    public int read(ByteBuffer dst) {
        if (pos >= in.length) {
            return -1;
        }
        int n = Math.min(Math.min(dst.remaining(), in.length - pos), chunk);
        dst.put(in, pos, n);
        pos += n;
        return n;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        out.writeBytes(b);
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {}
}
