package io.xtarget.iscsi.pdu;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ByteChannel;
import java.nio.channels.GatheringByteChannel;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * PDUs over a blocking byte channel (the login phase, the initiator): framing by
 * {@link PduFramer} on reads, BHS + digests + padded data on writes (RFC 7143 11.2). Reads are
 * done by one thread; writes are serialized by a lock so any thread may send.
 */
public final class PduChannel implements AutoCloseable {
    /** Where a PDU's data segment should land; returns null to let the channel allocate. */
    @FunctionalInterface
    public interface DataPlacement {
        ByteBuffer bufferFor(Bhs header, int length);
    }

    private static final byte[] PAD = new byte[4];

    private final ByteChannel ch;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final PduFramer framer = new PduFramer();
    /** Holds the header and short fields while they arrive; data segments are read in place. */
    private final ByteBuffer scratch = ByteBuffer.allocate(1024);
    private final ByteBuffer outDigest = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer outDataDigest = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private volatile boolean headerDigest;
    private volatile boolean dataDigest;

    public PduChannel(ByteChannel ch) {
        this.ch = ch;
    }

    public void setDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
        framer.setDigests(header, data);
    }

    /** The largest data segment this side accepts (what it declared as MaxRecvDataSegmentLength). */
    public void setMaxRecvDataSegmentLength(int max) {
        framer.setMaxRecvDataSegmentLength(max);
    }

    /** See {@link PduFramer#setDiscardOversized}: on during the target's login phase. */
    public void setDiscardOversized(boolean on) {
        framer.setDiscardOversized(on);
    }

    public int maxRecvDataSegmentLength() {
        return framer.maxRecvDataSegmentLength();
    }

    public Pdu read() throws IOException, PduException {
        return read(null);
    }

    /**
     * Reads one PDU, never a byte more (so the channel can be handed to another reader after
     * any PDU). Throws EOFException on a clean close, PduException for a PDU that framing
     * allowed to be read whole but that cannot be accepted (or, when fatal, when framing is lost).
     */
    public Pdu read(DataPlacement placement) throws IOException, PduException {
        while (true) {
            ByteBuffer target = framer.dataTarget();
            ByteBuffer src;
            if (target != null) {
                readSome(target);
                src = Pdu.EMPTY;
            } else {
                scratch.clear().limit(framer.needed());
                readSome(scratch);
                src = scratch.flip();
            }
            Pdu p = framer.feed(src, placement);
            if (p != null) {
                return p;
            }
        }
    }

    private void readSome(ByteBuffer b) throws IOException {
        if (ch.read(b) < 0) {
            throw new EOFException("connection closed");
        }
    }

    /** Sends one PDU. Safe to call from any thread. */
    public void write(Pdu pdu) throws IOException {
        byte[] bhs = PduCodec.header(pdu);
        ByteBuffer data = pdu.data().duplicate();
        int len = data.remaining();
        int pad = (4 - (len & 3)) & 3;
        writeLock.lock();
        try {
            ByteBuffer[] parts = new ByteBuffer[5];
            int n = 0;
            parts[n++] = ByteBuffer.wrap(bhs);
            if (headerDigest) {
                CRC32C crc = new CRC32C();
                crc.update(bhs);
                outDigest.clear();
                outDigest.putInt(0, (int) crc.getValue());
                parts[n++] = outDigest;
            }
            if (len > 0) {
                parts[n++] = data;
                if (pad > 0) {
                    parts[n++] = ByteBuffer.wrap(PAD, 0, pad);
                }
                if (dataDigest) {
                    CRC32C crc = new CRC32C();
                    crc.update(data.duplicate());
                    if (pad > 0) {
                        crc.update(PAD, 0, pad);
                    }
                    outDataDigest.clear();
                    outDataDigest.putInt(0, (int) crc.getValue());
                    parts[n++] = outDataDigest;
                }
            }
            writeAll(parts, n);
        } finally {
            writeLock.unlock();
        }
    }

    private void writeAll(ByteBuffer[] parts, int n) throws IOException {
        if (ch instanceof GatheringByteChannel g) {
            long total = 0;
            for (int i = 0; i < n; i++) {
                total += parts[i].remaining();
            }
            while (total > 0) {
                total -= g.write(parts, 0, n);
            }
        } else {
            for (int i = 0; i < n; i++) {
                while (parts[i].hasRemaining()) {
                    ch.write(parts[i]);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
