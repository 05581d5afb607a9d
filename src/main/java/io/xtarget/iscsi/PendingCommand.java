package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiTask;
import java.nio.ByteBuffer;

/**
 * One SCSI command on a connection, from its Command PDU until its response is sent: collects
 * Data-Out (immediate, unsolicited, solicited by R2T) into one pooled buffer, then runs.
 */
final class PendingCommand {
    final ScsiCommandPdu pdu;
    final int itt;
    final int lun;
    final long expectedLength;
    /** Data-out buffer of expectedLength bytes (writes only), or null. */
    ByteBuffer buffer;
    /** Bytes of data-out received so far (written by the reader, read by whoever starts the task). */
    volatile long received;
    /** Unsolicited Data-Out (TTT 0xFFFFFFFF) may still arrive. */
    boolean unsolicitedOpen;
    /** Next offset to solicit with an R2T. */
    long nextR2tOffset;
    int r2tSn;
    int outstandingR2t;
    /** Next DataSN expected in each Data-Out sequence, by TTT (0xFFFFFFFF: unsolicited). */
    final java.util.Map<Integer, Integer> nextDataSn = new java.util.HashMap<>();
    /** Data-In and R2T PDUs sent, for ExpDataSN. */
    int dataSn;
    /** Set when the command must fail without running (e.g. transfer too large). */
    ScsiException early;
    /** Delivered in CmdSN order: from then on it holds a slot of the session's command window. */
    volatile boolean ordered;
    private final java.util.concurrent.atomic.AtomicBoolean slotReleased = new java.util.concurrent.atomic.AtomicBoolean();
    volatile boolean submitted;
    volatile boolean aborted;
    /** 0 active, 1 its response is being sent, 2 aborted: whichever of respond/abort comes first wins. */
    private final java.util.concurrent.atomic.AtomicInteger fate = new java.util.concurrent.atomic.AtomicInteger();
    volatile ScsiTask task;
    /** Counted down once the command is finished (response sent, or dropped after an abort). */
    final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    PendingCommand(ScsiCommandPdu pdu, int lun) {
        this.pdu = pdu;
        this.itt = pdu.itt();
        this.lun = lun;
        this.expectedLength = pdu.expectedDataTransferLength();
    }

    boolean isWrite() {
        return pdu.write();
    }

    boolean dataComplete() {
        return buffer == null || received >= expectedLength;
    }

    /** Aborts the command unless its response is already on its way; true when it is now aborted. */
    boolean abort() {
        if (!fate.compareAndSet(0, 2) && fate.get() != 2) {
            return false;
        }
        aborted = true;
        ScsiTask t = task;
        if (t != null) {
            t.abort();
        }
        return true;
    }

    /**
     * True exactly once, for the caller that must give the command's window slot back: the
     * command ends by running, or by an abort before it ran (then no worker ever frees it).
     */
    boolean releaseSlot() {
        return ordered && slotReleased.compareAndSet(false, true);
    }

    /** Claims the right to send the response; false when the command was aborted first. */
    boolean claimResponse() {
        return fate.compareAndSet(0, 1);
    }

    void releaseBuffer() {
        ByteBuffer b = buffer;
        buffer = null;
        BufferPool.SHARED.give(b);
    }
}
