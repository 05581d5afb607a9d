package io.xtarget.scsi.spc;

import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/**
 * REQUEST SENSE (SPC-4 6.39): reports and clears the oldest pending unit attention of this
 * initiator port, LOGICAL UNIT NOT SUPPORTED for an unmapped LUN, a sanitize operation in progress
 * (with its progress indication) or failed (SBC-4 4.11), otherwise NO SENSE; always with
 * GOOD status. DESC selects descriptor format.
 */
final class RequestSense {
    private RequestSense() {}

    static ScsiResult execute(ScsiTask task) {
        boolean desc = task.cdb().bit(1, 0);
        int alloc = task.cdb().u8(4);
        Sense sense;
        if (task.mapping() == null) {
            sense = Sense.lunNotSupported();
        } else {
            sense = task.lu().unitAttentions().poll(task.nexus());
            if (sense == null) {
                sense = task.lu().sanitize().currentSense(); // SANITIZE IN PROGRESS with progress, or FAILED
            }
            if (sense == null) {
                sense = Sense.noSense();
            }
        }
        return ScsiResult.good(sense.encode(desc), alloc);
    }
}
