package io.xtarget.scsi.copy;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Encoders of the token commands' data-in (RECEIVE ROD TOKEN INFORMATION, RECEIVE COPY
 * STATUS(LID4), REPORT ALL ROD TOKENS) and of the token descriptors of the Third-party Copy VPD
 * page. Limits come only from {@link TokenLimits}.
 */
final class TokenPages {
    /** TRANSFER COUNT UNITS F1h: logical blocks of the LU the command addressed. */
    static final int UNITS_BLOCKS = 0xF1;
    /** Bytes of each entry of REPORT ALL ROD TOKENS: the token's leading bytes, never its secret part. */
    static final int MANAGEMENT_TOKEN_BYTES = 96;
    /** ESTIMATED STATUS UPDATE DELAY while an operation runs, in milliseconds. */
    static final int STATUS_UPDATE_DELAY_MS = 100;

    private TokenPages() {}

    /**
     * The parameter data RECEIVE COPY STATUS(LID4) (SPC-4 6.19) and RECEIVE ROD TOKEN INFORMATION
     * (SPC-4 6.21) share, and for the latter the ROD token descriptors after the sense data:
     * ROD TOKEN DESCRIPTORS LENGTH 0202h, two reserved bytes and the 512-byte token of a POPULATE
     * TOKEN, else length 0.
     *
     * @param sense the encoded sense data of a failed operation, or an empty array
     */
    static byte[] status(TokenOperation op, byte[] sense, boolean rodTokenDescriptors) {
        byte[] token = rodTokenDescriptors ? op.token() : null;
        int tail = rodTokenDescriptors ? 4 + (token == null ? 0 : 2 + token.length) : 0;
        ByteBuffer b = ByteBuffer.allocate(32 + sense.length + tail);
        b.putInt(0, b.capacity() - 4); // AVAILABLE DATA
        b.put(4, (byte) (op.serviceAction() & 0x1F)); // RESPONSE TO SERVICE ACTION
        b.put(5, (byte) op.status()); // HDD=0, COPY OPERATION STATUS
        b.putShort(6, (short) 0); // OPERATION COUNTER
        b.putInt(8, op.running() ? STATUS_UPDATE_DELAY_MS : 0);
        b.put(12, (byte) op.completionStatus().code()); // EXTENDED COPY COMPLETION STATUS
        b.put(13, (byte) sense.length); // LENGTH OF THE SENSE DATA FIELD
        b.put(14, (byte) sense.length); // SENSE DATA LENGTH
        b.put(15, (byte) UNITS_BLOCKS);
        b.putLong(16, op.blocks()); // TRANSFER COUNT
        b.putShort(24, (short) 0); // SEGMENTS PROCESSED
        b.put(32, sense);
        if (rodTokenDescriptors) {
            int at = 32 + sense.length;
            b.putInt(at, token == null ? 0 : 2 + token.length);
            if (token != null) {
                b.put(at + 6, token);
            }
        }
        return b.array();
    }

    /** REPORT ALL ROD TOKENS (SPC-4 6.22): the leading 96 bytes of each token. */
    static byte[] allTokens(List<RodToken> tokens) {
        ByteBuffer b = ByteBuffer.allocate(8 + tokens.size() * MANAGEMENT_TOKEN_BYTES);
        b.putInt(0, b.capacity() - 4);
        for (int i = 0; i < tokens.size(); i++) {
            b.put(8 + i * MANAGEMENT_TOKEN_BYTES, tokens.get(i).view(), 0, MANAGEMENT_TOKEN_BYTES);
        }
        return b.array();
    }

    /**
     * Block Device ROD Token Limits descriptor (0000h, SBC-3 6.6.x): MAXIMUM RANGE DESCRIPTORS,
     * MAXIMUM and DEFAULT INACTIVITY TIMEOUT, MAXIMUM TOKEN TRANSFER SIZE and OPTIMAL TRANSFER COUNT
     * in logical blocks of {@code blockSize}.
     */
    static byte[] blockDeviceRodLimits(TokenLimits t, int blockSize) {
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putShort(6, (short) t.maxRanges());
        b.putInt(8, t.maxInactivitySeconds());
        b.putInt(12, t.defaultInactivitySeconds());
        b.putLong(16, t.maxTokenTransferBytes() / blockSize);
        b.putLong(24, t.optimalTransferBytes() / blockSize);
        return b.array();
    }

    /**
     * ROD Token Features descriptor (0106h, SPC-4 7.8.17.x): no remote tokens, lifetimes, and the
     * block device type-specific features (SBC-3: MAXIMUM BYTES IN BLOCK ROD, OPTIMAL BYTES IN BLOCK
     * ROD TRANSFER, OPTIMAL BYTES TO/FROM TOKEN PER SEGMENT).
     */
    static byte[] rodTokenFeatures(TokenLimits t) {
        ByteBuffer b = ByteBuffer.allocate(44 + 48);
        b.put(0, (byte) 0); // REMOTE TOKENS: none
        b.putInt(12, 1); // MINIMUM TOKEN LIFETIME, seconds
        b.putInt(16, 0xFFFF_FFFF); // MAXIMUM TOKEN LIFETIME: none beyond the inactivity timeout
        b.putInt(20, t.maxInactivitySeconds()); // MAXIMUM TOKEN INACTIVITY TIMEOUT
        b.putShort(42, (short) 48); // TYPE SPECIFIC FEATURES LENGTH
        int f = 44; // block device ROD token features
        b.put(f, (byte) 0x00); // PERIPHERAL DEVICE TYPE 0
        b.putShort(f + 2, (short) 44);
        b.putLong(f + 8, t.maxTokenTransferBytes()); // MAXIMUM BYTES IN BLOCK ROD
        b.putLong(f + 16, t.optimalTransferBytes()); // OPTIMAL BYTES IN BLOCK ROD TRANSFER
        b.putLong(f + 24, t.maxTokenTransferBytes()); // OPTIMAL BYTES TO TOKEN PER SEGMENT
        b.putLong(f + 32, t.optimalTransferBytes()); // OPTIMAL BYTES FROM TOKEN PER SEGMENT
        return b.array();
    }

    /**
     * Supported ROD Types descriptor (0108h, SPC-4 7.8.17.x): access upon reference (tokens in and
     * out: TIN, TOUT) and the block device zero ROD token (in only).
     */
    static byte[] supportedRodTypes() {
        ByteBuffer b = ByteBuffer.allocate(4 + 2 * 64);
        b.putShort(2, (short) (2 * 64));
        b.putInt(4, TokenLimits.ROD_TYPE_ACCESS_UPON_REFERENCE);
        b.put(8, (byte) 0x03); // TIN, TOUT
        b.putInt(4 + 64, TokenLimits.ROD_TYPE_BLOCK_ZERO);
        b.put(8 + 64, (byte) 0x02); // TIN
        return b.array();
    }
}
