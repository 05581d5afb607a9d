package io.xtarget.backend;

import java.io.IOException;

/** Range checks shared by the stores: an access outside the store is an I/O error, never a crash. */
public final class Bounds {
    private Bounds() {}

    /** Whether {@code [offset, offset+length)} lies inside {@code [0, size)} (overflow-safe). */
    public static boolean contains(long offset, long length, long size) {
        return offset >= 0 && length >= 0 && offset <= size && length <= size - offset;
    }

    /** Throws unless {@code [offset, offset+length)} lies inside {@code [0, size)} (overflow-safe). */
    public static void check(long offset, long length, long size) throws IOException {
        if (!contains(offset, length, size)) {
            throw new IOException("access [" + offset + ", +" + length + ") outside store of " + size + " bytes");
        }
    }
}
