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
 * {@link ScsiTask}. Moves the data between guest memory and the core's buffers and writes the
 * response (virtio 1.1 5.6.6.1):
 *
 * <ul>
 *   <li>Data-out: a plain WRITE whose data lies in one piece of guest memory is handed to the core
 *       as a ByteBuffer over that memory, without a copy ({@link MemorySegment#asByteBuffer}); a
 *       WRITE only stores those bytes, so the guest changing them meanwhile only changes what it
 *       writes. Every other data-out (parameter lists the handlers parse, or data scattered over
 *       several descriptors, since the core takes one buffer) is copied into a pooled buffer first.
 *   <li>Data-in: the handler's result is copied into the writable descriptors after the response
 *       header (the core's handlers produce their own buffer).
 *   <li>Residual: the data-in room not filled; for a command without data-in, the data-out bytes
 *       not consumed. A command that needed more data than the driver's buffers hold gets
 *       VIRTIO_SCSI_S_OVERRUN (5.6.6.1: "the content of the CDB requires more data than is
 *       available in the datain and dataout buffers").
 * </ul>
 */
final class VirtioScsiCommand {
    private final Virtqueue.Popped popped;
    private final VirtioScsiRequest request;
    private final ScsiTask task;
    private ByteBuffer pooledDataOut;
    private long reserved;

    VirtioScsiCommand(Virtqueue.Popped popped, VirtioScsiRequest request, ScsiTask task) {
        this.popped = popped;
        this.request = request;
        this.task = task;
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

    /** Bytes of our own memory the command needs: a data-out copy, the data-in the handler builds. */
    long bufferBytes() {
        long in = Math.max(0, VirtioScsiRequest.dataInCapacity(chain()));
        long out = zeroCopyDataOut() != null ? 0 : VirtioScsiRequest.dataOutLength(chain());
        return in + out;
    }

    /** Opcodes whose data-out the handler only stores: WRITE (6/10/12/16), WRITE AND VERIFY (10/12/16). */
    private static boolean storesOnly(int opcode) {
        return switch (opcode) {
            case 0x0A, 0x2A, 0xAA, 0x8A, 0x2E, 0xAE, 0x8E -> true;
            default -> false;
        };
    }

    private MemorySegment zeroCopyDataOut() {
        long n = VirtioScsiRequest.dataOutLength(chain());
        if (n == 0 || !storesOnly(request.cdb()[0] & 0xFF)) {
            return null;
        }
        return chain().readableSlice(VirtioScsi.REQUEST_HEADER_BYTES, n);
    }

    /** Hands the data-out to the task, before it runs. */
    void attachDataOut() {
        long n = VirtioScsiRequest.dataOutLength(chain());
        if (n == 0) {
            return;
        }
        MemorySegment direct = zeroCopyDataOut();
        if (direct != null) {
            task.attachDataOut(direct.asByteBuffer());
            return;
        }
        ByteBuffer b = BufferPool.SHARED.take((int) n);
        chain().read(VirtioScsi.REQUEST_HEADER_BYTES, MemorySegment.ofBuffer(b));
        pooledDataOut = b;
        task.attachDataOut(b);
    }

    /** Writes data-in and the response for a command that ran; returns the bytes written. */
    long writeResult(ScsiResult r) {
        long room = VirtioScsiRequest.dataInCapacity(chain());
        ByteBuffer data = r.data();
        long n = data == null ? 0 : data.remaining();
        long copied = Math.min(n, room);
        if (copied > 0) {
            MemorySegment src = MemorySegment.ofBuffer(data).asSlice(0, copied);
            chain().write(VirtioScsi.RESPONSE_HEADER_BYTES, src);
        }
        long provided = VirtioScsiRequest.dataOutLength(chain());
        int asked = task.requestedDataOut();
        boolean overrun = n > room || (r.status() == ScsiStatus.GOOD && asked > provided);
        long residual = room > 0 ? room - copied : Math.max(0, provided - Math.max(0, asked));
        byte[] sense = r.sense() == null ? null : task.encodeSense(r.sense());
        VirtioScsiRequest.writeResponse(chain(), overrun ? VirtioScsi.S_OVERRUN : VirtioScsi.S_OK,
                r.status().code(), sense, residual);
        return VirtioScsi.RESPONSE_HEADER_BYTES + copied;
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
        BufferPool.SHARED.give(pooledDataOut);
        pooledDataOut = null;
        task.release();
    }

    @Override
    public String toString() {
        return request.toString();
    }
}
