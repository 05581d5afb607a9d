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
 * Frames PDUs on a byte channel: BHS, AHS, optional header digest, padded data segment, optional
 * data digest (RFC 7143 11.2). Reads are done by one thread; writes are serialized by a lock so
 * any worker may send. Every length read off the wire is checked against a bound before anything
 * is allocated.
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
    private final ByteBuffer hdr = ByteBuffer.allocate(Bhs.LENGTH);
    private final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer outDigest = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer outDataDigest = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    private volatile boolean headerDigest;
    private volatile boolean dataDigest;
    private volatile int maxRecvDataSegmentLength = 8192;

    public PduChannel(ByteChannel ch) {
        this.ch = ch;
    }

    public void setDigests(boolean header, boolean data) {
        this.headerDigest = header;
        this.dataDigest = data;
    }

    /** The largest data segment this side accepts (what it declared as MaxRecvDataSegmentLength). */
    public void setMaxRecvDataSegmentLength(int max) {
        this.maxRecvDataSegmentLength = max;
    }

    public int maxRecvDataSegmentLength() {
        return maxRecvDataSegmentLength;
    }

    public Pdu read() throws IOException, PduException {
        return read(null);
    }

    /**
     * Reads one PDU. Throws EOFException on a clean close, PduException for a PDU that framing
     * allowed to be read whole but that cannot be accepted (or, when fatal, when framing is lost).
     */
    public Pdu read(DataPlacement placement) throws IOException, PduException {
        hdr.clear();
        readFully(hdr);
        byte[] bhsBytes = hdr.array().clone();
        Bhs h = new Bhs(bhsBytes);
        int ahsLen = h.totalAhsLength();
        byte[] ahs = new byte[ahsLen]; // at most 1020 bytes: an 8-bit count of words
        if (ahsLen > 0) {
            readFully(ByteBuffer.wrap(ahs));
        }
        if (headerDigest) {
            CRC32C crc = new CRC32C();
            crc.update(bhsBytes);
            crc.update(ahs);
            int got = readWord();
            if (got != (int) crc.getValue()) {
                // RFC 7143 7.8: a header digest error loses framing; ERL 0 drops the connection.
                throw PduException.fatal("header digest error");
            }
        }
        int len = h.dataSegmentLength();
        if (len > maxRecvDataSegmentLength) {
            throw PduException.fatal("data segment length " + len + " exceeds MaxRecvDataSegmentLength "
                    + maxRecvDataSegmentLength);
        }
        ByteBuffer data = Pdu.EMPTY;
        if (len > 0) {
            ByteBuffer dst = placement == null ? null : placement.bufferFor(h, len);
            if (dst == null || dst.remaining() != len) {
                dst = ByteBuffer.allocate(len);
            }
            int start = dst.position();
            readFully(dst);
            int pad = (4 - (len & 3)) & 3;
            if (pad > 0) {
                readFully(ByteBuffer.allocate(pad));
            }
            data = dst.duplicate().position(start).limit(start + len).slice();
            if (dataDigest) {
                CRC32C crc = new CRC32C();
                crc.update(data.duplicate());
                if (pad > 0) {
                    crc.update(PAD, 0, pad);
                }
                int got = readWord();
                if (got != (int) crc.getValue()) {
                    throw new PduException("data digest error", Reject.DATA_DIGEST_ERROR, bhsBytes);
                }
            }
        }
        return PduCodec.decode(bhsBytes, ahs, data);
    }

    private int readWord() throws IOException {
        word.clear();
        readFully(word);
        return word.getInt(0);
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("connection closed");
            }
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
