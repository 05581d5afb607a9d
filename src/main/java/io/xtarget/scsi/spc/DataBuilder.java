package io.xtarget.scsi.spc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Appends big-endian fields to a growing byte array: the parameter data of SPC responses. */
final class DataBuilder {
    private byte[] buf = new byte[64];
    private int len;

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    DataBuilder u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    DataBuilder u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    DataBuilder u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    DataBuilder u64(long v) {
        return u32(v >>> 32).u32(v);
    }

    DataBuilder bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    DataBuilder zeros(int n) {
        ensure(n);
        Arrays.fill(buf, len, len + n, (byte) 0);
        len += n;
        return this;
    }

    /** ASCII text left-aligned in a field of {@code width} bytes, padded with spaces (SPC-4 4.4.1). */
    DataBuilder ascii(String s, int width) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        ensure(width);
        for (int i = 0; i < width; i++) {
            buf[len + i] = i < b.length ? b[i] : (byte) ' ';
        }
        len += width;
        return this;
    }

    int length() {
        return len;
    }

    DataBuilder setU8(int off, int v) {
        buf[off] = (byte) v;
        return this;
    }

    DataBuilder setU16(int off, int v) {
        buf[off] = (byte) (v >>> 8);
        buf[off + 1] = (byte) v;
        return this;
    }

    DataBuilder setU32(int off, long v) {
        setU16(off, (int) (v >>> 16));
        return setU16(off + 2, (int) v);
    }

    byte[] toArray() {
        return Arrays.copyOf(buf, len);
    }
}
