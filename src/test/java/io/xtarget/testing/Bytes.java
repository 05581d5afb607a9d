package io.xtarget.testing;

import java.io.ByteArrayOutputStream;

/** Byte-array helpers for tests. */
public final class Bytes {
    private Bytes() {}

    /** The parts one after the other. */
    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
