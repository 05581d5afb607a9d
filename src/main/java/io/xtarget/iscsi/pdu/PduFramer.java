package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Cuts a byte stream into PDUs (RFC 7143 11.2): BHS, AHS, optional header digest, data segment
 * with padding, optional data digest. It is fed whatever bytes arrived, in any pieces, and
 * returns each PDU once it is whole; so it serves blocking reads ({@link PduChannel}) and a
 * non-blocking connection alike, and tests feed it from memory.
 *
 * <p>Every length is checked before anything is allocated: the AHS is at most 1020 bytes (an
 * 8-bit count of words), the data segment at most the declared MaxRecvDataSegmentLength. A data
 * segment can be placed straight into a caller's buffer ({@link PduChannel.DataPlacement}), and
 * while one is being collected the caller may read into {@link #dataTarget()} directly.
 *
 * <p>A data segment over the bound loses framing unless {@link #setDiscardOversized} is on (the
 * login phase): then its bytes are consumed and dropped in small pieces, never stored, and the
 * PDU ends in a non-fatal {@link PduException} carrying its header, so the receiver can still
 * answer it (a Login Response, RFC 7143 11.13.5) instead of resetting the connection.
 */
public final class PduFramer {
    private enum Field { HEADER, AHS, HEADER_DIGEST, DATA, PAD, DATA_DIGEST, SKIP }

    /** Most bytes of a discarded data segment a blocking reader is asked for at once. */
    static final int SKIP_CHUNK = 1024;

    private final byte[] bhs = new byte[Bhs.LENGTH];
    private final ByteBuffer header = ByteBuffer.wrap(bhs);
    private final Bhs view = new Bhs(bhs);
    private final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    /** The padding bytes as received: the data digest covers them (RFC 7143 11.1: SHOULD be 0, may not be). */
    private final byte[] padBytes = new byte[4];
    private final CRC32C crc = new CRC32C();
    private Field field = Field.HEADER;
    private ByteBuffer ahs;
    private ByteBuffer data;
    private int dataStart;
    private int length;
    private int pad;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxRecvDataSegmentLength = 8192;
    private boolean discardOversized;
    /** Bytes of an oversized PDU (data, padding, digest) still to drop. */
    private long skip;

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

    /**
     * When on, a data segment longer than MaxRecvDataSegmentLength is read and dropped, then
     * reported by a non-fatal PduException (reason PROTOCOL_ERROR, with the header); when off
     * (the default) it is fatal at once, as framing cannot be trusted in full feature phase.
     */
    public void setDiscardOversized(boolean on) {
        this.discardOversized = on;
    }

    /** How many more bytes the current field needs: a blocking reader reads exactly this many. */
    public int needed() {
        return switch (field) {
            case HEADER -> header.remaining();
            case AHS -> ahs.remaining();
            case HEADER_DIGEST, PAD, DATA_DIGEST -> word.remaining();
            case DATA -> data.remaining();
            case SKIP -> (int) Math.min(skip, SKIP_CHUNK);
        };
    }

    /**
     * While a data segment is being collected: the rest of its destination, which a caller may
     * read into directly (then call {@link #feed} with an empty buffer to go on); otherwise null.
     */
    public ByteBuffer dataTarget() {
        return field == Field.DATA ? data : null;
    }

    /**
     * Consumes bytes from {@code src} (advancing its position) until a PDU is whole or the
     * bytes run out.
     *
     * @return the PDU, or null when more bytes are needed
     * @throws PduException for a PDU that cannot be accepted; when not fatal the framer has
     *     consumed it whole and goes on with the next one
     */
    public Pdu feed(ByteBuffer src, PduChannel.DataPlacement placement) throws PduException {
        while (true) {
            switch (field) {
                case HEADER -> {
                    if (!fill(header, src)) {
                        return null;
                    }
                    int ahsLen = (bhs[4] & 0xFF) * 4;
                    ahs = ahsLen == 0 ? NO_AHS : ByteBuffer.allocate(ahsLen);
                    field = ahsLen == 0 ? afterAhs() : Field.AHS;
                    if (field == Field.DATA) {
                        Pdu p = headerComplete(placement);
                        if (p != null) {
                            return p;
                        }
                    }
                }
                case AHS -> {
                    if (!fill(ahs, src)) {
                        return null;
                    }
                    field = afterAhs();
                    if (field == Field.DATA) {
                        Pdu p = headerComplete(placement);
                        if (p != null) {
                            return p;
                        }
                    }
                }
                case HEADER_DIGEST -> {
                    if (!fill(word, src)) {
                        return null;
                    }
                    crc.reset();
                    crc.update(bhs);
                    crc.update(ahs.array(), 0, ahs.capacity());
                    if (word.getInt(0) != (int) crc.getValue()) {
                        // RFC 7143 7.8: a header digest error loses framing; ERL 0 drops the connection.
                        throw PduException.fatal("header digest error");
                    }
                    Pdu p = headerComplete(placement);
                    if (p != null) {
                        return p;
                    }
                }
                case DATA -> {
                    if (!fill(data, src)) {
                        return null;
                    }
                    pad = (4 - (length & 3)) & 3;
                    word.clear().limit(pad);
                    field = pad > 0 ? Field.PAD : afterPad();
                    if (field == Field.HEADER) {
                        return complete();
                    }
                }
                case PAD -> {
                    if (!fill(word, src)) {
                        return null;
                    }
                    word.get(0, padBytes, 0, pad);
                    field = afterPad();
                    if (field == Field.HEADER) {
                        return complete();
                    }
                }
                case DATA_DIGEST -> {
                    if (!fill(word, src)) {
                        return null;
                    }
                    return complete();
                }
                case SKIP -> {
                    int n = (int) Math.min(skip, src.remaining());
                    src.position(src.position() + n);
                    skip -= n;
                    if (skip > 0) {
                        return null;
                    }
                    byte[] header = bhs.clone();
                    int dropped = length;
                    reset();
                    throw new PduException("data segment length " + dropped + " exceeds MaxRecvDataSegmentLength "
                            + maxRecvDataSegmentLength + " (discarded)", Reject.PROTOCOL_ERROR, header);
                }
            }
        }
    }

    private Field afterAhs() {
        if (headerDigest) {
            word.clear();
            return Field.HEADER_DIGEST;
        }
        return Field.DATA; // headerComplete decides whether there is a data segment at all
    }

    private Field afterPad() {
        if (dataDigest) {
            word.clear();
            return Field.DATA_DIGEST;
        }
        return Field.HEADER;
    }

    /** The header is whole: checks the data segment length, picks where the data goes. */
    private Pdu headerComplete(PduChannel.DataPlacement placement) throws PduException {
        length = ((bhs[5] & 0xFF) << 16) | ((bhs[6] & 0xFF) << 8) | (bhs[7] & 0xFF);
        if (length > maxRecvDataSegmentLength && discardOversized) {
            skip = (long) length + ((4 - (length & 3)) & 3) + (dataDigest ? 4 : 0);
            field = Field.SKIP;
            return null;
        }
        if (length > maxRecvDataSegmentLength) {
            reset();
            throw PduException.fatal("data segment length " + length + " exceeds MaxRecvDataSegmentLength "
                    + maxRecvDataSegmentLength);
        }
        if (length == 0) {
            data = Pdu.EMPTY;
            field = Field.HEADER;
            return complete();
        }
        ByteBuffer dst = placement == null ? null : placement.bufferFor(view, length);
        if (dst == null || dst.remaining() != length) {
            dst = ByteBuffer.allocate(length);
        }
        data = dst;
        dataStart = dst.position();
        field = Field.DATA;
        return null;
    }

    /** The whole PDU arrived: checks the data digest and decodes it. */
    private Pdu complete() throws PduException {
        ByteBuffer segment = length == 0 ? Pdu.EMPTY : data.slice(dataStart, length);
        byte[] ahsBytes = ahs.capacity() == 0 ? EMPTY_AHS : ahs.array();
        boolean digestOk = true;
        if (dataDigest && length > 0) {
            crc.reset();
            crc.update(segment.duplicate());
            if (pad > 0) {
                crc.update(padBytes, 0, pad);
            }
            digestOk = word.getInt(0) == (int) crc.getValue();
        }
        reset();
        if (!digestOk) {
            throw new PduException("data digest error", Reject.DATA_DIGEST_ERROR, bhs.clone());
        }
        return PduCodec.decode(bhs, ahsBytes, segment);
    }

    private static final byte[] EMPTY_AHS = new byte[0];
    private static final ByteBuffer NO_AHS = ByteBuffer.wrap(EMPTY_AHS);

    private void reset() {
        field = Field.HEADER;
        header.clear();
        data = null;
        ahs = null;
        pad = 0;
        skip = 0;
    }

    private static boolean fill(ByteBuffer dst, ByteBuffer src) {
        int n = Math.min(dst.remaining(), src.remaining());
        if (n > 0) {
            int lim = src.limit();
            src.limit(src.position() + n);
            dst.put(src);
            src.limit(lim);
        }
        return !dst.hasRemaining();
    }
}
