package io.xtarget.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One command as the core sees it: the I_T_L nexus, the CDB and the data the initiator sent.
 * The fabric builds it with all Data-Out already collected; handlers read it and return a
 * {@link ScsiResult}. A task never touches a socket.
 */
public final class ScsiTask {
    private final ScsiCore core;
    private final Nexus nexus;
    private final LunMap lunMap;
    private final int lun;
    private final Cdb cdb;
    private final ByteBuffer dataOut;
    private final long tag;
    private final List<ByteBuffer> taken = new ArrayList<>(2);
    private volatile boolean aborted;
    private volatile int requestedDataOut = -1;
    private final LunMapping mapping;

    /**
     * @param core the core that dispatches it
     * @param nexus the I_T nexus it arrived on
     * @param lunMap the LUN map of that nexus
     * @param lun the addressed LUN
     * @param cdb the CDB
     * @param dataOut data sent by the initiator (position 0, limit = bytes received), or null
     * @param tag the fabric's task tag (iSCSI ITT), for logs and task management
     */
    public ScsiTask(ScsiCore core, Nexus nexus, LunMap lunMap, int lun, Cdb cdb, ByteBuffer dataOut, long tag) {
        this.core = core;
        this.nexus = nexus;
        this.lunMap = lunMap;
        this.lun = lun;
        this.cdb = cdb;
        this.dataOut = dataOut;
        this.tag = tag;
        this.mapping = lunMap.get(lun);
    }

    public ScsiCore core() {
        return core;
    }

    public Nexus nexus() {
        return nexus;
    }

    public LunMap lunMap() {
        return lunMap;
    }

    public int lun() {
        return lun;
    }

    public Cdb cdb() {
        return cdb;
    }

    public long tag() {
        return tag;
    }

    /** The mapping of the addressed LUN, or null when no LU is mapped there. */
    public LunMapping mapping() {
        return mapping;
    }

    /** The addressed logical unit; the core guarantees it is non-null unless the command is NO_LU. */
    public LogicalUnit lu() {
        return mapping == null ? null : mapping.unit();
    }

    /** The data-out length the command asked for through {@link #dataOut}, or -1 if it did not. */
    public int requestedDataOut() {
        return requestedDataOut;
    }

    /** How many data-out bytes the initiator sent. */
    public int dataOutLength() {
        return dataOut == null ? 0 : dataOut.limit();
    }

    /**
     * The parameter list (or other non-block data-out) of {@code needed} bytes. When the initiator
     * sent more, the rest is ignored (the fabric reports an underflow residual); when it sent less,
     * the device server sees a truncated list and the command fails with PARAMETER LIST LENGTH
     * ERROR, the fabric reporting an overflow residual (FCP-4 9.4.2 / SAM-5 5.4.2).
     */
    public ByteBuffer dataOut(int needed) throws ScsiException {
        requestedDataOut = needed;
        if (needed < 0 || needed > dataOutLength()) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        return view(needed);
    }

    /**
     * The data-out of a block write of {@code blocks} blocks. When the initiator's expected length
     * is shorter, only the whole blocks it covers are returned, so the command writes just those
     * (FCP-4 9.4.2: process normally, but transfer no data beyond the expected length). The fabric
     * reports the residual against the full transfer length.
     */
    public ByteBuffer dataOutBlocks(long blocks, int blockSize) {
        long needed = blocks * blockSize;
        requestedDataOut = (int) Math.min(Integer.MAX_VALUE, needed);
        int have = dataOutLength();
        return view((int) Math.min(needed, have / blockSize * (long) blockSize));
    }

    private ByteBuffer view(int n) {
        if (n == 0) {
            return ByteBuffer.allocate(0);
        }
        return dataOut.duplicate().position(0).limit(n).slice();
    }

    /** A data-in buffer of {@code size} bytes from the shared pool, returned after the response is sent. */
    public ByteBuffer allocate(int size) {
        ByteBuffer b = BufferPool.SHARED.take(size);
        synchronized (taken) {
            taken.add(b);
        }
        return b;
    }

    /** Returns every buffer this task took. Called by the fabric once the response is on the wire. */
    public void release() {
        synchronized (taken) {
            for (ByteBuffer b : taken) {
                BufferPool.SHARED.give(b);
            }
            taken.clear();
        }
    }

    /** Encodes sense in the format the addressed LU's D_SENSE bit selects (fixed when no LU). */
    public byte[] encodeSense(Sense sense) {
        return sense.encode(mapping != null && mapping.unit().mode().descriptorSense);
    }

    /** Task management marks the task aborted; long-running handlers poll this. */
    public void abort() {
        aborted = true;
    }

    public boolean isAborted() {
        return aborted;
    }

    @Override
    public String toString() {
        return "task 0x" + Long.toHexString(tag) + " lun " + lun + " cdb " + cdb;
    }
}
