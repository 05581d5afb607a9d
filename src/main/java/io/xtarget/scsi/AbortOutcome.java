package io.xtarget.scsi;

/**
 * How an aborted command ends (SAM-5 5.6): with no status at all, or with TASK ABORTED status.
 * TASK ABORTED is returned only for a command aborted by an action of another I_T nexus while
 * the control mode page's TAS bit is one; every other abort is silent.
 */
public enum AbortOutcome {
    /** The command ends without a status; the initiator learns of it from its own request or a unit attention. */
    SILENT,
    /** The command ends with status TASK ABORTED (40h). */
    TASK_ABORTED_STATUS
}
