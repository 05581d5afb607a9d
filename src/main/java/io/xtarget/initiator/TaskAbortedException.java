package io.xtarget.initiator;

import java.io.IOException;

/**
 * The command was ended by a task management function (ABORT TASK, ABORT TASK SET, LUN RESET,
 * TARGET WARM RESET): RFC 7143 4.2.3.3 lets the target drop its response, so none will come.
 */
public class TaskAbortedException extends IOException {
    public TaskAbortedException(String message) {
        super(message);
    }
}
