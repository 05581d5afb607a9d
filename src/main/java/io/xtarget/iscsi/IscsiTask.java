package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.LunAddress;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.TaskAttribute;
import java.nio.ByteBuffer;

/**
 * One SCSI command on a session, from its Command PDU until it ends: what the PDU asked for,
 * where it is in the session's scheduling ({@link Stage}, owned by {@link CommandScheduler}),
 * its Data-Out rules ({@link DataOutCollector}, owned by the connection's reading thread) and,
 * once it entered its task set, the core's {@link ScsiTask} (which owns running and aborting).
 */
final class IscsiTask {
    /** Where a command is in the session (RFC 7143 3.2.2.1, SAM-5 4.6). */
    enum Stage {
        /** Received, waiting for the commands before it in CmdSN order. */
        RECEIVED,
        /** In its task set: collecting data, or waiting for its turn or for buffer space. */
        IN_TASK_SET,
        /** Handed to a thread that runs it and sends its response. */
        RUNNING,
        /** Its response is sent, or it was aborted and dropped. */
        ENDED
    }

    final ScsiCommandPdu pdu;
    final int itt;
    final int lun;
    final long expected;
    final boolean immediate;
    final TaskAttribute attribute;
    /** The Data-Out rules, or null when the command sends no data (or fails before taking any). */
    final DataOutCollector collector;

    Stage stage = Stage.RECEIVED;
    /** The command's Data-Out buffer, taken when data first arrives or is first asked for. */
    ByteBuffer dataBuffer;
    /** Set when it entered its task set. */
    ScsiTask scsi;
    /** Aborted by the fabric before it entered its task set: it never runs and sends nothing. */
    boolean droppedEarly;
    /** Makes the command end with CHECK CONDITION without running (too large, bad Data-Out). */
    ScsiException failure;
    /** Budget bytes this command reserved (before its R2Ts, or before running a read). */
    long budget;
    /** Budget bytes counted for data it may send unasked (immediate and unsolicited). */
    long forced;
    /** Solicited bytes the command still has to reserve before its R2Ts go out. */
    long budgetWanted;
    /** R2T and Data-In PDUs sent for it: the ExpDataSN of its response (RFC 7143 11.4.8). */
    int dataSn;
    /** The connection runs it on its own thread (a quick command on a fast LU). */
    boolean quick;
    /**
     * The connection starts it on its own thread and its store completes it ({@link
     * io.xtarget.scsi.ScsiCore#start}): a READ or WRITE on an LU whose store starts I/O.
     */
    boolean startable;
    /** When it last received Data-Out it had asked for, for the Data-Out timeout. */
    long lastDataNanos;

    IscsiTask(ScsiCommandPdu pdu, DataOutCollector collector) {
        this.pdu = pdu;
        this.itt = pdu.itt();
        this.lun = LunAddress.decode(pdu.lun());
        this.expected = pdu.expectedDataTransferLength();
        this.immediate = pdu.immediate();
        this.attribute = attribute(pdu.attributes());
        this.collector = collector;
    }

    /** The ATTR field of a SCSI Command PDU (RFC 7143 11.3.1): 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA. */
    static TaskAttribute attribute(int code) {
        return switch (code) {
            case 2 -> TaskAttribute.ORDERED;
            case 3 -> TaskAttribute.HEAD_OF_QUEUE;
            case 4 -> TaskAttribute.ACA;
            default -> TaskAttribute.SIMPLE;
        };
    }

    boolean dataComplete() {
        return collector == null || collector.complete();
    }

    /** The data that arrived, as the handler sees it: exactly the accepted prefix, nothing more. */
    ByteBuffer dataOut() {
        if (dataBuffer == null || collector == null) {
            return null;
        }
        return dataBuffer.slice(0, (int) collector.received());
    }

    /** The Data-Out buffer, taken on first use: pooled up to 1 MiB, lazily committed above. */
    ByteBuffer buffer() {
        if (dataBuffer == null) {
            dataBuffer = BufferPool.SHARED.take((int) expected);
        }
        return dataBuffer;
    }

    void releaseBuffer() {
        ByteBuffer b = dataBuffer;
        dataBuffer = null;
        BufferPool.SHARED.give(b);
    }

    @Override
    public String toString() {
        return "task 0x" + Integer.toHexString(itt) + " (" + stage + ")";
    }
}
