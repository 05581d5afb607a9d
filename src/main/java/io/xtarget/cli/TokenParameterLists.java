package io.xtarget.cli;

import java.nio.ByteBuffer;

/**
 * CDBs and parameter lists of the token copy commands {@code xtarget xcopy --odx} sends (SBC-3
 * POPULATE TOKEN 83h/10h and WRITE USING TOKEN 83h/11h, SPC-4 RECEIVE ROD TOKEN INFORMATION
 * 84h/07h), each with one block device range descriptor, and the token in RECEIVE ROD TOKEN
 * INFORMATION data.
 */
final class TokenParameterLists {
    static final int TOKEN_BYTES = 512;
    /** ROD type of the block device zero ROD token (SBC-3): writing it writes zeros. */
    static final int ROD_TYPE_BLOCK_ZERO = 0xFFFF_0001;
    /** Enough for RECEIVE ROD TOKEN INFORMATION: 32 + 252 bytes of sense + 4 + 2 + the token. */
    static final int RRTI_ALLOCATION = 1024;
    private static final int POPULATE_HEADER = 16;
    private static final int WRITE_HEADER = 536;
    private static final int RANGE_BYTES = 16;

    private TokenParameterLists() {}

    static byte[] populateCdb(long listId, int length) {
        return cdb(0x83, 0x10, 6, listId, length);
    }

    static byte[] writeUsingTokenCdb(long listId, int length) {
        return cdb(0x83, 0x11, 6, listId, length);
    }

    static byte[] receiveRodTokenInformationCdb(long listId) {
        return cdb(0x84, 0x07, 2, listId, RRTI_ALLOCATION);
    }

    private static byte[] cdb(int opcode, int serviceAction, int listAt, long listId, int length) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) opcode).put(1, (byte) serviceAction).putInt(listAt, (int) listId).putInt(10, length);
        return c.array();
    }

    /** POPULATE TOKEN: IMMED=0, RTV=0 (the copy manager's ROD type), default inactivity timeout, one range. */
    static byte[] populate(long lba, long blocks) {
        ByteBuffer b = ByteBuffer.allocate(POPULATE_HEADER + RANGE_BYTES);
        b.putShort(0, (short) (b.capacity() - 2)); // POPULATE TOKEN DATA LENGTH
        b.putShort(14, (short) RANGE_BYTES); // BLOCK DEVICE RANGE DESCRIPTOR LENGTH
        range(b, POPULATE_HEADER, lba, blocks);
        return b.array();
    }

    /**
     * WRITE USING TOKEN: IMMED=0, one range.
     *
     * @param deleteToken DEL_TKN: the token ends with this command
     * @param offsetIntoRod OFFSET INTO ROD, in logical blocks of the destination
     */
    static byte[] writeUsingToken(byte[] token, boolean deleteToken, long offsetIntoRod, long lba, long blocks) {
        ByteBuffer b = ByteBuffer.allocate(WRITE_HEADER + RANGE_BYTES);
        b.putShort(0, (short) (b.capacity() - 2)); // WRITE USING TOKEN DATA LENGTH
        b.put(2, (byte) (deleteToken ? 0x02 : 0));
        b.putLong(8, offsetIntoRod);
        b.put(16, token);
        b.putShort(534, (short) RANGE_BYTES); // BLOCK DEVICE RANGE DESCRIPTOR LENGTH
        range(b, WRITE_HEADER, lba, blocks);
        return b.array();
    }

    private static void range(ByteBuffer b, int at, long lba, long blocks) {
        b.putLong(at, lba).putInt(at + 8, (int) blocks);
    }

    /** The block device zero ROD token: ROD TYPE FFFF0001h, ROD TOKEN LENGTH 01F8h, the rest zero. */
    static byte[] zeroToken() {
        ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
        b.putInt(0, ROD_TYPE_BLOCK_ZERO).putShort(6, (short) 0x01F8);
        return b.array();
    }

    /**
     * The ROD token of RECEIVE ROD TOKEN INFORMATION data (SPC-4 6.21): after the 32-byte header
     * and the sense data, ROD TOKEN DESCRIPTORS LENGTH, two reserved bytes and the token; null
     * when the data hold none or the operation did not complete (COPY OPERATION STATUS not 01h).
     */
    static byte[] tokenOf(byte[] rrti) {
        if (rrti.length < 32 || (rrti[5] & 0x7F) != 0x01) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(rrti);
        int at = 32 + (b.get(13) & 0xFF);
        if (at + 6 + TOKEN_BYTES > rrti.length || b.getInt(at) < 2 + TOKEN_BYTES) {
            return null;
        }
        byte[] token = new byte[TOKEN_BYTES];
        b.get(at + 6, token);
        return token;
    }
}
