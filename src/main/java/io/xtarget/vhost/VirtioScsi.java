package io.xtarget.vhost;

/**
 * Constants of the virtio SCSI host device (virtio 1.1 5.6): queues, feature bits, the fixed
 * sizes of its request and response headers with the default CDB and sense sizes, response
 * codes, task management functions and events.
 */
final class VirtioScsi {
    private VirtioScsi() {}

    // 5.6.2 Virtqueues
    static final int CONTROL_QUEUE = 0;
    static final int EVENT_QUEUE = 1;
    static final int FIRST_REQUEST_QUEUE = 2;

    // 5.6.3 Feature bits
    static final int F_INOUT = 0;
    static final int F_HOTPLUG = 1;
    static final int F_CHANGE = 2;

    // 5.6.4 Device configuration layout: cdb_size and sense_size are fixed at their defaults
    static final int CDB_SIZE = 32;
    static final int SENSE_SIZE = 96;
    static final int EVENT_INFO_SIZE = 16;

    /** lun[8], id (le64), task_attr, prio, crn, cdb[cdb_size] (5.6.6.1). */
    static final int REQUEST_HEADER_BYTES = 8 + 8 + 3 + CDB_SIZE;
    /** sense_len (le32), residual (le32), status_qualifier (le16), status, response, sense[sense_size]. */
    static final int RESPONSE_HEADER_BYTES = 4 + 4 + 2 + 1 + 1 + SENSE_SIZE;

    // 5.6.6.1 response values
    static final int S_OK = 0;
    static final int S_OVERRUN = 1;
    static final int S_ABORTED = 2;
    static final int S_BAD_TARGET = 3;
    static final int S_RESET = 4;
    static final int S_BUSY = 5;
    static final int S_TRANSPORT_FAILURE = 6;
    static final int S_TARGET_FAILURE = 7;
    static final int S_NEXUS_FAILURE = 8;
    static final int S_FAILURE = 9;
    static final int S_FUNCTION_SUCCEEDED = 10;
    static final int S_FUNCTION_REJECTED = 11;
    static final int S_INCORRECT_LUN = 12;
    /** Task management response "function complete" shares the value of S_OK. */
    static final int S_FUNCTION_COMPLETE = 0;

    // 5.6.6.1 task attributes
    static final int S_SIMPLE = 0;
    static final int S_ORDERED = 1;
    static final int S_HEAD = 2;
    static final int S_ACA = 3;

    // 5.6.6.2 controlq
    static final int T_TMF = 0;
    static final int T_AN_QUERY = 1;
    static final int T_AN_SUBSCRIBE = 2;
    static final int TMF_ABORT_TASK = 0;
    static final int TMF_ABORT_TASK_SET = 1;
    static final int TMF_CLEAR_ACA = 2;
    static final int TMF_CLEAR_TASK_SET = 3;
    static final int TMF_I_T_NEXUS_RESET = 4;
    static final int TMF_LOGICAL_UNIT_RESET = 5;
    static final int TMF_QUERY_TASK = 6;
    static final int TMF_QUERY_TASK_SET = 7;
    /** type, subtype (le32 each), lun[8], id (le64). */
    static final int TMF_REQUEST_BYTES = 4 + 4 + 8 + 8;
    /** type (le32), lun[8], event_requested (le32). */
    static final int AN_REQUEST_BYTES = 4 + 8 + 4;
    /** event_actual (le32), response. */
    static final int AN_RESPONSE_BYTES = 4 + 1;

    // 5.6.6.3 eventq
    static final int T_NO_EVENT = 0;
    static final int T_TRANSPORT_RESET = 1;
    static final int T_ASYNC_NOTIFY = 2;
    static final int T_PARAM_CHANGE = 3;
    static final int T_EVENTS_MISSED = 0x80000000;
    static final int EVT_RESET_HARD = 0;
    static final int EVT_RESET_RESCAN = 1;
    static final int EVT_RESET_REMOVED = 2;

    /**
     * The 8-byte LUN of an event for {@code lun} of target 0 (5.6.6.1 addressing: byte 0 is 1,
     * byte 1 the target, bytes 2-3 the LUN, flat space addressing from 256 on).
     */
    static byte[] lunBytes(int lun) {
        byte[] b = new byte[8];
        b[0] = 1;
        b[1] = 0;
        b[2] = (byte) (lun < 256 ? 0 : 0x40 | (lun >> 8));
        b[3] = (byte) lun;
        return b;
    }
}
