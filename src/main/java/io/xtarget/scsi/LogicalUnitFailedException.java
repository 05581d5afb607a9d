package io.xtarget.scsi;

import java.io.IOException;

/**
 * A write or flush was refused because the logical unit is {@linkplain LuHealth.State#FAILED
 * failed}: an earlier flush failed, so the target can no longer promise that data it reports
 * as written is durable. The SCSI core answers HARDWARE ERROR / INTERNAL TARGET FAILURE.
 */
public final class LogicalUnitFailedException extends IOException {
    LogicalUnitFailedException(String message) {
        super(message);
    }
}
