package io.xtarget.vhost;

import io.xtarget.scsi.AbortOutcome;
import io.xtarget.scsi.BufferPool;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * One virtio-scsi command on its way through the core: the chain it arrived in, its header, its
 * {@link ScsiTask}. Moves the data between guest memory and the stores and writes the response
 * (virtio 1.1 5.6.6.1):
 *
 * <ul>
 *   <li>Data-out: a plain WRITE or WRITE AND VERIFY hands the core its data where it lies in guest
 *       memory: one ByteBuffer over it when it is in one piece ({@link MemorySegment#asByteBuffer}),
 *       else one per descriptor ({@link ScsiTask#attachDataOut(ByteBuffer[])}), which WRITE writes
 *       with one store call each. Those commands only store the bytes, so the guest changing them
 *       meanwhile only changes what it writes. Every other data-out (parameter lists the handlers
 *       parse) is copied into a pooled buffer first: the one copying fallback.
 *   <li>Data-in: the guest's writable descriptors after the response header are offered to the
 *       core ({@link ScsiTask#offerDataIn}); a READ whose transfer fits reads straight into them.
 *       Anything else the handler builds in its own buffer, copied into the descriptors here.
 *   <li>Residual: the data-in room not filled; for a command without data-in, the data-out bytes
 *       not consumed. A command that needed more data than the driver's buffers hold gets
 *       VIRTIO_SCSI_S_OVERRUN (5.6.6.1: "the content of the CDB requires more data than is
 *       available in the datain and dataout buffers").
 * </ul>
 *
 * Every byte moved is counted in the controller's {@link DataTraffic}, placed directly or copied.
 * The views handed out are slices of the chain's checked segments, so no store call reaches
 * outside the guest's buffers.
 */
final class VirtioScsiCommand {
    /** How the data-out reached the task. */
    private enum DataOut { NONE, IN_PLACE, COPIED }

    private final Virtqueue.Popped popped;
    private final VirtioScsiRequest request;
    private final ScsiTask task;
    private final DataTraffic traffic;
    private ByteBuffer pooledDataOut;
    private DataOut dataOut = DataOut.NONE;
    private long dataOutBytes;
    private long reserved;

    VirtioScsiCommand(Virtqueue.Popped popped, VirtioScsiRequest request, ScsiTask task, DataTraffic traffic) {
        this.popped = popped;
        this.request = request;
        this.task = task;
        this.traffic = traffic;
        task.offerDataIn(n -> chain().writableBuffers(VirtioScsi.RESPONSE_HEADER_BYTES, n));
    }

    Virtqueue.Popped popped() {
        return popped;
    }

    VirtioScsiRequest request() {
        return request;
    }

    ScsiTask task() {
        return task;
    }

    long reserved() {
        return reserved;
    }

    void reserved(long bytes) {
        reserved = bytes;
    }

    private DescriptorChain chain() {
        return popped.chain();
    }

    /**
     * Bytes of our own memory the command may need: a data-out copy (also WRITE AND VERIFY's, which
     * gathers scattered data to compare it), the data-in the handler builds.
     */
    long bufferBytes() {
        long in = Math.max(0, VirtioScsiRequest.dataInCapacity(chain()));
        int opcode = request.cdb()[0] & 0xFF;
        boolean writeOnly = opcode == 0x0A || opcode == 0x2A || opcode == 0xAA || opcode == 0x8A;
        long out = writeOnly ? 0 : VirtioScsiRequest.dataOutLength(chain());
        return in + out;
    }

    /** Opcodes whose data-out the handler only stores: WRITE (6/10/12/16), WRITE AND VERIFY (10/12/16). */
    private boolean storesOnly() {
        return switch (request.cdb()[0] & 0xFF) {
            case 0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E -> true;
            default -> false;
        };
    }

    /** Hands the data-out to the task, before it runs. */
    void attachDataOut() {
        long n = VirtioScsiRequest.dataOutLength(chain());
        if (n <= 0) {
            return;
        }
        dataOutBytes = n;
        if (storesOnly()) {
            MemorySegment one = chain().readableSlice(VirtioScsi.REQUEST_HEADER_BYTES, n);
            ByteBuffer[] pieces = one != null ? null : chain().readableBuffers(VirtioScsi.REQUEST_HEADER_BYTES, n);
            if (one != null || pieces != null) {
                if (one != null) {
                    task.attachDataOut(one.asByteBuffer());
                } else {
                    task.attachDataOut(pieces);
                }
                dataOut = DataOut.IN_PLACE;
                return;
            }
        }
        ByteBuffer b = BufferPool.SHARED.take((int) n);
        chain().read(VirtioScsi.REQUEST_HEADER_BYTES, MemorySegment.ofBuffer(b));
        pooledDataOut = b;
        dataOut = DataOut.COPIED;
        task.attachDataOut(b);
    }

    /** Counts the data-out once the command is done with it (a handler may have gathered it). */
    private void countDataOut() {
        switch (dataOut) {
            case IN_PLACE -> {
                long gathered = task.gatheredBytes();
                traffic.copied(gathered);
                traffic.direct(dataOutBytes - gathered);
            }
            case COPIED -> traffic.copied(dataOutBytes);
            case NONE -> { }
        }
        dataOut = DataOut.NONE;
    }

    /** Writes data-in and the response for a command that ran; returns the bytes written. */
    long writeResult(ScsiResult r) {
        long room = VirtioScsiRequest.dataInCapacity(chain());
        ByteBuffer data = r.data();
        long n;
        long filled;
        if (data == null && r.status() == ScsiStatus.GOOD && task.placedDataIn() > 0) {
            n = filled = task.placedDataIn(); // the store read into the guest's buffers (it fit)
            traffic.direct(n);
        } else {
            n = data == null ? 0 : data.remaining();
            filled = Math.min(n, room);
            if (filled > 0) {
                MemorySegment src = MemorySegment.ofBuffer(data).asSlice(0, filled);
                chain().write(VirtioScsi.RESPONSE_HEADER_BYTES, src);
                traffic.copied(filled);
            }
        }
        long provided = VirtioScsiRequest.dataOutLength(chain());
        int asked = task.requestedDataOut();
        boolean overrun = n > room || (r.status() == ScsiStatus.GOOD && asked > provided);
        long residual = room > 0 ? room - filled : Math.max(0, provided - Math.max(0, asked));
        byte[] sense = r.sense() == null ? null : task.encodeSense(r.sense());
        VirtioScsiRequest.writeResponse(chain(), overrun ? VirtioScsi.S_OVERRUN : VirtioScsi.S_OK,
                r.status().code(), sense, residual);
        return VirtioScsi.RESPONSE_HEADER_BYTES + filled;
    }

    /**
     * Writes the response of an aborted command: TASK ABORTED status when the core says so (aborted
     * by another I_T nexus with TAS set), else VIRTIO_SCSI_S_ABORTED: virtio always returns the
     * buffer, so a "silent" abort is this response.
     */
    long writeAborted() {
        long room = Math.max(0, VirtioScsiRequest.dataInCapacity(chain()));
        if (task.abortOutcome() == AbortOutcome.TASK_ABORTED_STATUS) {
            VirtioScsiRequest.writeResponse(chain(), VirtioScsi.S_OK, ScsiStatus.TASK_ABORTED.code(), null, room);
        } else {
            VirtioScsiRequest.writeResponse(chain(), VirtioScsi.S_ABORTED, 0, null, room);
        }
        return VirtioScsi.RESPONSE_HEADER_BYTES;
    }

    /** Gives back the buffers the command took (data-out copy, data-in buffers). */
    void releaseBuffers() {
        countDataOut();
        BufferPool.SHARED.give(pooledDataOut);
        pooledDataOut = null;
        task.release();
    }

    @Override
    public String toString() {
        return request.toString();
    }
}
