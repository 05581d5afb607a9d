package io.xtarget.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One command as the core sees it: the I_T_L nexus, the CDB and the data the initiator sent.
 * The fabric creates it when the command enters the task set ({@link ScsiCore#enter}), attaches
 * the Data-Out once every byte of it has arrived, runs it ({@link ScsiCore#execute}) and ends it
 * ({@link #end}) once its response is sent or it was aborted. A task never touches a socket.
 *
 * <p>Life cycle: ACTIVE, then either COMPLETING (the fabric {@linkplain #claimCompletion claimed}
 * the right to send its status) or ABORTED (the task manager {@linkplain #tryAbort aborted} it
 * first), then ENDED. Whichever of the two claims comes first wins, so an aborted command never
 * sends a status it was not entitled to, and a command whose status is on the wire is not aborted.
 */
public final class ScsiTask {
    /** Where a task is in its life; see the class comment. */
    public enum Phase { ACTIVE, COMPLETING, ABORTED, ENDED }

    /**
     * The initiator's own data-in buffers, offered by a fabric that can place data there directly
     * (virtio: the driver's writable descriptors in guest memory), so a handler that reads from
     * the medium fills them without a buffer of ours in between.
     */
    @FunctionalInterface
    public interface DataInBuffers {
        /**
         * Views of exactly the first {@code n} bytes of the initiator's data-in buffers, in
         * order (each with its position at 0), or null when they hold fewer than {@code n} bytes.
         */
        ByteBuffer[] first(int n);
    }

    /** The fabric's side of a task: told when the task manager aborts it. */
    @FunctionalInterface
    public interface AbortListener {
        /** Called once, on the aborting thread, after the task moved to ABORTED. Must not block. */
        void aborted(ScsiTask task);
    }

    private final ScsiCore core;
    private final Nexus nexus;
    private final LunMap lunMap;
    private final int lun;
    private final Cdb cdb;
    private final long tag;
    private final LunMapping mapping;
    private final AbortListener listener;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.ACTIVE);
    /** Data-in buffers taken from the pool: most tasks take none or one. */
    private ByteBuffer takenOne;
    private List<ByteBuffer> takenMore;
    private ByteBuffer dataOut;
    /** Data-out attached as several buffers; gathered into {@link #dataOut} only if a handler asks for one. */
    private ByteBuffer[] dataOutSegments;
    private long gatheredBytes;
    private DataInBuffers dataInOffer;
    private int placedDataIn;
    private volatile AbortOutcome abortOutcome;
    private volatile int requestedDataOut = -1;
    /** Code to run when the task ends (abort waiters); null until someone waits. */
    private List<Runnable> onEnd;

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
        this(core, nexus, lunMap, lun, cdb, tag, null);
        this.dataOut = dataOut;
    }

    /** A task whose Data-Out is attached later, with the fabric's abort listener (may be null). */
    public ScsiTask(ScsiCore core, Nexus nexus, LunMap lunMap, int lun, Cdb cdb, long tag, AbortListener listener) {
        this.core = core;
        this.nexus = nexus;
        this.lunMap = lunMap;
        this.lun = lun;
        this.cdb = cdb;
        this.tag = tag;
        this.mapping = lunMap.get(lun);
        this.listener = listener;
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

    /**
     * Attaches the data the initiator sent, before the task runs: position 0, limit = the bytes
     * that arrived. The fabric attaches only data that fully arrived, in order; nothing else of
     * the buffer is ever visible to a handler.
     */
    public void attachDataOut(ByteBuffer data) {
        this.dataOut = data;
        this.dataOutSegments = null;
    }

    /**
     * Attaches data-out that lies in several buffers, in order (virtio: the driver's descriptors
     * in guest memory), before the task runs; each buffer from its position to its limit. A handler
     * that stores data ({@link #dataOutBlockSegments}) writes from them as they are; one that asks
     * for a single buffer ({@link #dataOut}, {@link #dataOutBlocks}) gets them gathered into one
     * from the pool ({@link #gatheredBytes} counts those copies).
     */
    public void attachDataOut(ByteBuffer[] segments) {
        long n = 0;
        for (ByteBuffer b : segments) {
            n += b.remaining();
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("data-out of " + n + " bytes");
        }
        this.dataOutSegments = segments.clone();
        this.dataOut = null;
    }

    /** Bytes of scattered data-out this task copied into one buffer because a handler asked for one. */
    public long gatheredBytes() {
        return gatheredBytes;
    }

    /** Offers the initiator's own data-in buffers (see {@link DataInBuffers}); null withdraws it. */
    public void offerDataIn(DataInBuffers buffers) {
        this.dataInOffer = buffers;
    }

    /**
     * The initiator's buffers for a data-in of exactly {@code n} bytes, when the fabric offered
     * them and they hold that many; else null, and the handler returns its own buffer. When this
     * returns buffers, the command's data-in is the {@code n} bytes the handler puts there and it
     * returns its result without data ({@link #placedDataIn} tells the fabric).
     */
    public ByteBuffer[] placeDataIn(int n) {
        DataInBuffers offer = dataInOffer;
        ByteBuffer[] b = offer == null || n <= 0 ? null : offer.first(n);
        if (b != null) {
            placedDataIn = n;
        }
        return b;
    }

    /** Bytes of data-in placed straight into the initiator's buffers ({@link #placeDataIn}); 0 if none. */
    public int placedDataIn() {
        return placedDataIn;
    }

    /** The data-out length the command asked for through {@link #dataOut}, or -1 if it did not. */
    public int requestedDataOut() {
        return requestedDataOut;
    }

    /** How many data-out bytes the initiator sent. */
    public int dataOutLength() {
        if (dataOutSegments != null) {
            long n = 0;
            for (ByteBuffer b : dataOutSegments) {
                n += b.remaining();
            }
            return (int) n;
        }
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

    /**
     * {@link #dataOutBlocks} as the buffers the data-out arrived in, without gathering them: views
     * of the first whole blocks that arrived, at most {@code blocks}, in order.
     */
    public ByteBuffer[] dataOutBlockSegments(long blocks, int blockSize) {
        if (dataOutSegments == null) {
            return new ByteBuffer[] {dataOutBlocks(blocks, blockSize)};
        }
        long needed = blocks * blockSize;
        requestedDataOut = (int) Math.min(Integer.MAX_VALUE, needed);
        long left = Math.min(needed, dataOutLength() / blockSize * (long) blockSize);
        List<ByteBuffer> out = new ArrayList<>(dataOutSegments.length);
        for (ByteBuffer b : dataOutSegments) {
            if (left == 0) {
                break;
            }
            int n = (int) Math.min(left, b.remaining());
            out.add(b.slice(b.position(), n));
            left -= n;
        }
        return out.toArray(ByteBuffer[]::new);
    }

    private ByteBuffer view(int n) {
        if (n == 0) {
            return ByteBuffer.allocate(0);
        }
        if (dataOut == null && dataOutSegments != null) {
            dataOut = gather();
        }
        return dataOut.slice(0, n);
    }

    /** The scattered data-out copied into one pooled buffer (released with the task's others). */
    private ByteBuffer gather() {
        int n = dataOutLength();
        ByteBuffer one = allocate(n);
        for (ByteBuffer b : dataOutSegments) {
            one.put(b.duplicate());
        }
        gatheredBytes += n;
        return one.flip();
    }

    /** A data-in buffer of {@code size} bytes from the shared pool, returned after the response is sent. */
    public ByteBuffer allocate(int size) {
        ByteBuffer b = BufferPool.SHARED.take(size);
        synchronized (this) {
            if (takenOne == null) {
                takenOne = b;
            } else {
                if (takenMore == null) {
                    takenMore = new ArrayList<>(2);
                }
                takenMore.add(b);
            }
        }
        return b;
    }

    /** Returns every buffer this task took. Called by the fabric once the response is on the wire. */
    public void release() {
        synchronized (this) {
            BufferPool.SHARED.give(takenOne);
            takenOne = null;
            if (takenMore != null) {
                takenMore.forEach(BufferPool.SHARED::give);
                takenMore = null;
            }
        }
    }

    /** Encodes sense in the format the addressed LU's D_SENSE bit selects (fixed when no LU). */
    public byte[] encodeSense(Sense sense) {
        return sense.encode(mapping != null && mapping.unit().mode().descriptorSense);
    }

    // ---------------------------------------------------------------- life cycle

    public Phase phase() {
        return phase.get();
    }

    /**
     * Aborts the task unless its status is already being sent or it ended. On success the
     * fabric's listener is told, so a task still waiting (for data, its turn, or buffers) ends
     * at once; a running handler sees {@link #isAborted} and stops early.
     *
     * @return true when this call aborted it
     */
    public boolean tryAbort(AbortOutcome outcome) {
        synchronized (this) {
            if (phase.get() != Phase.ACTIVE) {
                return false;
            }
            abortOutcome = outcome; // written before the phase, so whoever sees ABORTED sees it
            if (!phase.compareAndSet(Phase.ACTIVE, Phase.ABORTED)) {
                abortOutcome = null; // the fabric claimed completion in between
                return false;
            }
        }
        if (listener != null) {
            listener.aborted(this);
        }
        return true;
    }

    /** The fabric claims the right to send this task's status; false when it was aborted first. */
    public boolean claimCompletion() {
        return phase.compareAndSet(Phase.ACTIVE, Phase.COMPLETING);
    }

    /** Task management marked the task aborted; long-running handlers poll this. */
    public boolean isAborted() {
        return abortOutcome() != null;
    }

    /** How an aborted task ends, or null when it was not aborted. */
    public AbortOutcome abortOutcome() {
        Phase p = phase.get();
        return p == Phase.ABORTED || p == Phase.ENDED ? abortOutcome : null;
    }

    /**
     * Ends the task: it leaves its logical unit's task set and whoever waits for it (an abort) is
     * released. Called by the fabric exactly once, after the status is sent or the abort handled.
     */
    public void end() {
        phase.set(Phase.ENDED);
        LogicalUnit lu = lu();
        if (lu != null) {
            lu.tasks().remove(this);
        }
        List<Runnable> waiters;
        synchronized (this) {
            waiters = onEnd;
            onEnd = null;
        }
        if (waiters != null) {
            waiters.forEach(Runnable::run);
        }
    }

    /** Runs {@code r} once the task has ended (at once when it already has). */
    void whenEnded(Runnable r) {
        synchronized (this) {
            if (phase.get() != Phase.ENDED) {
                if (onEnd == null) {
                    onEnd = new ArrayList<>(1);
                }
                onEnd.add(r);
                return;
            }
        }
        r.run();
    }

    @Override
    public String toString() {
        return "task 0x" + Long.toHexString(tag) + " lun " + lun + " cdb " + cdb;
    }
}
