package io.xtarget.backend;

import java.io.IOException;

/** The block sizes xtarget exports (SBC-3 READ CAPACITY: LOGICAL BLOCK LENGTH IN BYTES). */
public final class StoreGeometry {
    private StoreGeometry() {}

    public static boolean isValidBlockSize(int blockSize) {
        return blockSize == 512 || blockSize == 4096;
    }

    static void checkBlockSize(int blockSize) throws IOException {
        if (!isValidBlockSize(blockSize)) {
            throw new IOException("block size must be 512 or 4096, not " + blockSize);
        }
    }

    /** A valid block size and a size that is a positive multiple of it; {@code what} names the store. */
    static void check(String what, int blockSize, long sizeBytes) throws IOException {
        checkBlockSize(blockSize);
        if (sizeBytes <= 0 || sizeBytes % blockSize != 0) {
            throw new IOException(what + " size " + sizeBytes + " is not a positive multiple of " + blockSize);
        }
    }
}
