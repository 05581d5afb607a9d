package io.xtarget.scsi;

/**
 * The task attribute a command arrives with (SAM-5 8.6), which decides when it may start relative
 * to the other tasks of its task set ({@link TaskOrder}). Each fabric maps its own encoding: the
 * ATTR field of an iSCSI SCSI Command PDU, the task_attr byte of a virtio-scsi request. An
 * untagged command is SIMPLE; ACA is run as SIMPLE (xtarget reports NACA 0, so no ACA condition
 * is ever established).
 */
public enum TaskAttribute {
    SIMPLE, ORDERED, HEAD_OF_QUEUE, ACA
}
