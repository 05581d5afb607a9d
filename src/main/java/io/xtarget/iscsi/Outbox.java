package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.Pdu;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * The PDUs a connection still has to send, and the only writer of its socket in full feature
 * phase. Any thread may {@link #send} (a worker finishing a command, the connection's own
 * thread, a timer); sending never blocks: {@link #flush} writes what the socket takes at once
 * and leaves the rest queued for the connection's thread, which waits for the socket to become
 * writable. A connection whose queue makes no progress for the send timeout is dropped by its
 * owner ({@link #stalledFor}), so an initiator that stops reading holds no thread and no lock
 * that anyone else needs.
 *
 * <p>StatSN, ExpCmdSN and MaxCmdSN are stamped into each header when it is queued, so they
 * follow the order of the byte stream (RFC 7143 3.2.2.2). Headers are encoded into reused
 * entries: queuing a PDU allocates nothing. A queued PDU's data buffer is written as is (its
 * position advances), so each PDU must carry a view of its own, as the PDU records' slices are.
 */
final class Outbox {
    /** How a PDU uses StatSN (RFC 7143 3.2.2.2). */
    enum StatSn {
        /** Carries the next StatSN and consumes it (responses, NOP-In replies, Reject). */
        ADVANCE,
        /** Carries the next StatSN without consuming it (R2T, a target's NOP-In ping). */
        CURRENT,
        /** The field is reserved (Data-In without status). */
        NONE
    }

    /** Where ExpCmdSN and MaxCmdSN come from when a PDU is queued. */
    interface Window {
        int expCmdSn();

        int maxCmdSn();
    }

    private static final byte[] PAD = new byte[4];
    private static final int MAX_GATHER = 64;
    /**
     * Completions collected by a flush, run once the lock is released: one array per thread,
     * taken out while in use, since a completion may flush again on the same thread.
     */
    private static final ThreadLocal<Runnable[]> DONE = new ThreadLocal<>();
    /**
     * Heap a queued entry costs beyond its PDU's data (the entry, its header and digest
     * buffers): counted by {@link #heldBytes} so that many small PDUs (NOP-Ins, Rejects) an
     * initiator does not read are bounded like large ones.
     */
    static final int ENTRY_COST = 512;
    /** Entries kept for reuse; more are left to the garbage collector once written. */
    private static final int KEEP_FREE = 256;

    /** One queued PDU: its encoded header, its data, and what to do once it is on the wire. */
    private static final class Entry {
        final byte[] bhs = new byte[Bhs.LENGTH];
        final Bhs h = new Bhs(bhs);
        final ByteBuffer header = ByteBuffer.wrap(bhs);
        final ByteBuffer headerDigest = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        final byte[] trailerBytes = new byte[8];
        final ByteBuffer trailer = ByteBuffer.wrap(trailerBytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer data;
        boolean hasHeaderDigest;
        boolean hasTrailer;
        Runnable onSent;
        long bytes;

        boolean written() {
            return !header.hasRemaining() && !(hasHeaderDigest && headerDigest.hasRemaining())
                    && !(data != null && data.hasRemaining()) && !(hasTrailer && trailer.hasRemaining());
        }
    }

    private final GatheringByteChannel channel;
    private final Runnable wantWritable;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final ArrayDeque<Entry> free = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private final CRC32C crc = new CRC32C();
    private Window window;
    private int statSn;
    private boolean headerDigest;
    private boolean dataDigest;
    private volatile long queuedBytes;
    private volatile long queuedEntries;
    /** When the queue last went from empty to non-empty or made progress; 0 while empty. */
    private volatile long waitingSince;
    private volatile boolean closed;

    /**
     * @param channel the socket, in non-blocking mode
     * @param wantWritable asks the connection's thread to flush once the socket is writable
     *     (called when a flush could not empty the queue)
     */
    Outbox(GatheringByteChannel channel, Runnable wantWritable) {
        this.channel = channel;
        this.wantWritable = wantWritable;
    }

    /** Starts full feature phase: the next StatSN, digests and the session's command window. */
    void start(int nextStatSn, boolean headerDigest, boolean dataDigest, Window window) {
        lock.lock();
        try {
            this.statSn = nextStatSn;
            this.headerDigest = headerDigest;
            this.dataDigest = dataDigest;
            this.window = window;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a PDU; {@code onSent} (may be null) runs once all its bytes are written, on the writing thread. */
    void send(Pdu pdu, StatSn use, Runnable onSent) {
        boolean dropped = false;
        lock.lock();
        try {
            if (closed) {
                dropped = true; // its completion runs below, unlocked: it may take other locks
                return;
            }
            Entry e = free.isEmpty() ? new Entry() : free.pop();
            Arrays.fill(e.bhs, (byte) 0);
            pdu.encode(e.h);
            ByteBuffer data = pdu.data();
            int len = data.remaining();
            e.h.put8(4, 0).put24(5, len);
            if (use != StatSn.NONE) {
                e.h.put32(24, statSn);
                if (use == StatSn.ADVANCE) {
                    statSn++;
                }
            }
            e.h.put32(28, window.expCmdSn()).put32(32, window.maxCmdSn());
            e.header.clear();
            e.hasHeaderDigest = headerDigest;
            if (headerDigest) {
                crc.reset();
                crc.update(e.bhs);
                e.headerDigest.clear();
                e.headerDigest.putInt(0, (int) crc.getValue());
            }
            int pad = (4 - (len & 3)) & 3;
            e.data = len == 0 ? null : data; // the PDU's own view of its data: writing consumes it
            e.hasTrailer = len > 0 && (pad > 0 || dataDigest);
            if (e.hasTrailer) {
                e.trailer.clear();
                Arrays.fill(e.trailerBytes, (byte) 0);
                int t = pad;
                if (dataDigest) {
                    crc.reset();
                    crc.update(data.duplicate());
                    crc.update(PAD, 0, pad);
                    e.trailer.putInt(pad, (int) crc.getValue());
                    t += 4;
                }
                e.trailer.limit(t);
            }
            e.onSent = onSent;
            e.bytes = Bhs.LENGTH + (headerDigest ? 4 : 0) + len + (e.hasTrailer ? e.trailer.limit() : 0);
            if (queue.isEmpty()) {
                waitingSince = System.nanoTime();
            }
            queue.addLast(e);
            queuedEntries++;
            queuedBytes += e.bytes;
        } finally {
            lock.unlock();
            if (dropped && onSent != null) {
                onSent.run();
            }
        }
    }

    /**
     * Writes as much as the socket takes now, without blocking. Returns true when the queue is
     * empty; otherwise the connection's thread was asked to flush again once it is writable.
     */
    boolean flush() throws IOException {
        Runnable[] done = DONE.get();
        DONE.set(null);
        if (done == null) {
            done = new Runnable[16];
        }
        int nDone = 0;
        boolean empty;
        lock.lock();
        try {
            while (!queue.isEmpty()) {
                int n = 0;
                for (Entry e : queue) {
                    if (n + 4 > MAX_GATHER) {
                        break;
                    }
                    if (e.header.hasRemaining()) {
                        gather[n++] = e.header;
                    }
                    if (e.hasHeaderDigest && e.headerDigest.hasRemaining()) {
                        gather[n++] = e.headerDigest;
                    }
                    if (e.data != null && e.data.hasRemaining()) {
                        gather[n++] = e.data;
                    }
                    if (e.hasTrailer && e.trailer.hasRemaining()) {
                        gather[n++] = e.trailer;
                    }
                }
                long w = channel.write(gather, 0, n);
                Arrays.fill(gather, 0, n, null);
                if (w > 0) {
                    waitingSince = System.nanoTime();
                }
                while (!queue.isEmpty() && queue.peekFirst().written()) {
                    Entry e = queue.pollFirst();
                    queuedBytes -= e.bytes;
                    if (e.onSent != null) {
                        if (nDone == done.length) {
                            done = Arrays.copyOf(done, nDone * 2);
                        }
                        done[nDone++] = e.onSent;
                    }
                    e.data = null;
                    e.onSent = null;
                    queuedEntries--;
                    if (free.size() < KEEP_FREE) {
                        free.push(e);
                    }
                }
                if (w == 0) {
                    break;
                }
            }
            empty = queue.isEmpty();
            if (empty) {
                waitingSince = 0;
            }
        } finally {
            lock.unlock();
        }
        try {
            for (int i = 0; i < nDone; i++) {
                Runnable r = done[i];
                done[i] = null;
                r.run();
            }
        } finally {
            DONE.set(done);
        }
        if (!empty) {
            wantWritable.run();
        }
        return empty;
    }

    boolean isEmpty() {
        return queuedBytes == 0;
    }

    long queuedBytes() {
        return queuedBytes;
    }

    /** Memory the queue holds: its bytes plus {@link #ENTRY_COST} per queued PDU. */
    long heldBytes() {
        return queuedBytes + queuedEntries * ENTRY_COST;
    }

    /** Nanoseconds the queue has been waiting without progress, 0 when it is empty. */
    long stalledFor(long now) {
        long since = waitingSince;
        return since == 0 ? 0 : now - since;
    }

    /** Drops everything queued (the connection is gone) and runs their completions. */
    void close() {
        Runnable[] pending;
        lock.lock();
        try {
            closed = true;
            pending = new Runnable[queue.size()];
            int i = 0;
            for (Entry e : queue) {
                pending[i++] = e.onSent;
            }
            queue.clear();
            free.clear();
            queuedBytes = 0;
            queuedEntries = 0;
            waitingSince = 0;
        } finally {
            lock.unlock();
        }
        for (Runnable r : pending) {
            if (r != null) {
                r.run();
            }
        }
    }
}
