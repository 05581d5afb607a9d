package io.xtarget.iscsi;

import java.nio.ByteBuffer;

/**
 * A text response longer than the initiator's MaxRecvDataSegmentLength, sent in pieces: each
 * Text Response but the last has the C bit and a target transfer tag the initiator echoes in an
 * empty Text Request to get the next piece (RFC 7143 11.11.1).
 */
final class TextContinuation {
    private byte[] body;
    private int offset;
    private int chunk;
    private int ttt;
    private int nextTtt = 0x10000;

    /** Starts a new response; returns its first piece. */
    ByteBuffer start(byte[] body, int maxChunk) {
        this.body = body;
        this.offset = 0;
        this.chunk = Math.max(1, maxChunk);
        this.ttt = nextTtt++;
        return take();
    }

    /** The next piece for a continuation request carrying {@code ttt}, or null when none is pending. */
    ByteBuffer next(int requestTtt) {
        if (body == null || requestTtt != ttt || offset >= body.length) {
            return null;
        }
        return take();
    }

    boolean hasMore() {
        return body != null && offset < body.length;
    }

    int ttt() {
        return ttt;
    }

    private ByteBuffer take() {
        int n = Math.min(chunk, body.length - offset);
        ByteBuffer b = ByteBuffer.wrap(body, offset, n).slice();
        offset += n;
        return b;
    }
}
