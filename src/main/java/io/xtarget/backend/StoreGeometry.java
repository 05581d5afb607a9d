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
}
