package io.xtarget.backend;

import java.io.IOException;
import java.util.Locale;

/**
 * A write failed because the space behind the store ran out: the file system is full (ENOSPC)
 * or the owner's quota is used up (EDQUOT). Nothing is wrong with the data already stored; the
 * write may succeed once space is freed (UNMAP, or an administrator). The SCSI core reports it
 * as DATA PROTECT / SPACE ALLOCATION FAILED WRITE PROTECT (SBC-3 4.7.3.6), not as a medium error.
 *
 * <p>The JDK reports errno only as the C library's message text, so {@link #classify} tells the
 * two conditions apart by that text ("No space left on device", "Disk quota exceeded" in the C
 * and English locales); a store that can ask its file system ({@link FileStore}) also treats a
 * failed write on a file system with no free block left as out of space.
 */
public final class OutOfSpaceException extends IOException {
    private static final String[] MESSAGES = {"no space left on device", "disk quota exceeded"};

    public OutOfSpaceException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code e} as an OutOfSpaceException when its message (or a cause's) names ENOSPC or EDQUOT, else {@code e}. */
    public static IOException classify(IOException e) {
        if (e instanceof OutOfSpaceException) {
            return e;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m == null) {
                continue;
            }
            String lower = m.toLowerCase(Locale.ROOT);
            for (String s : MESSAGES) {
                if (lower.contains(s)) {
                    return new OutOfSpaceException(m, e);
                }
            }
        }
        return e;
    }
}
