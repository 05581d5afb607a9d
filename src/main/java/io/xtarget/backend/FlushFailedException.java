package io.xtarget.backend;

import java.io.IOException;

/**
 * Data handed to the store could not be made durable: fdatasync (or a device cache flush)
 * failed. Data written since the last successful flush may be lost for good: Linux reports a
 * writeback error to fsync once and may drop the dirty pages it could not write, so a retried
 * fsync can succeed although the data never reached the disk ("fsyncgate"; PostgreSQL treats
 * a failed fsync as fatal for the same reason). Callers must never turn a later successful
 * flush into "durable" after this.
 *
 * <p>{@link Store#write} throws it for a write with FUA whose data was written but not made
 * durable; {@link Store#flush} may throw it or any IOException, which means the same.
 */
public final class FlushFailedException extends IOException {
    public FlushFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
