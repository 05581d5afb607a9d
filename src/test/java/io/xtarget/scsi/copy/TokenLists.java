package io.xtarget.scsi.copy;

import io.xtarget.scsi.Cdb;
import java.nio.ByteBuffer;

/** CDBs and parameter lists of the token commands, byte for byte as SBC-3 / SPC-4 lay them out. */
public final class TokenLists {
    private TokenLists() {}

    /** 83h / 84h CDB with a service action, LIST IDENTIFIER at {@code listAt} and a length at 10..13. */
    public static Cdb cdb(int opcode, int sa, int listAt, long listId, long length) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.put(0, (byte) opcode).put(1, (byte) sa);
        if (listAt >= 0) {
            b.putInt(listAt, (int) listId);
        }
        b.putInt(10, (int) length);
        return new Cdb(b.array());
    }

    public static Cdb populate(long listId, int length) {
        return cdb(0x83, 0x10, 6, listId, length);
    }

    public static Cdb writeUsingToken(long listId, int length) {
        return cdb(0x83, 0x11, 6, listId, length);
    }

    public static Cdb abort(long listId) {
        return cdb(0x83, 0x1C, 2, listId, 0);
    }

    public static Cdb rrti(long listId) {
        return cdb(0x84, 0x07, 2, listId, 4096);
    }

    public static Cdb statusLid4(long listId) {
        return cdb(0x84, 0x05, 2, listId, 4096);
    }

    public static Cdb reportAll() {
        return cdb(0x84, 0x08, -1, 0, 65536);
    }

    /** POPULATE TOKEN parameter list: flags (RTV, IMMED), INACTIVITY TIMEOUT, ROD TYPE, ranges {lba, blocks}. */
    public static byte[] populateList(int flags, int timeout, int rodType, long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(16 + 16 * ranges.length);
        b.putShort(0, (short) (b.capacity() - 2));
        b.put(2, (byte) flags);
        b.putInt(4, timeout);
        b.putInt(8, rodType);
        b.putShort(14, (short) (16 * ranges.length));
        for (int i = 0; i < ranges.length; i++) {
            b.putLong(16 + 16 * i, ranges[i][0]).putInt(24 + 16 * i, (int) ranges[i][1]);
        }
        return b.array();
    }

    public static byte[] populateList(long[]... ranges) {
        return populateList(0, 0, 0, ranges);
    }

    /** WRITE USING TOKEN parameter list: flags (DEL_TKN, IMMED), OFFSET INTO ROD, token, ranges. */
    public static byte[] writeList(int flags, long offsetIntoRod, byte[] token, long[]... ranges) {
        ByteBuffer b = ByteBuffer.allocate(536 + 16 * ranges.length);
        b.putShort(0, (short) (b.capacity() - 2));
        b.put(2, (byte) flags);
        b.putLong(8, offsetIntoRod);
        b.put(16, token);
        b.putShort(534, (short) (16 * ranges.length));
        for (int i = 0; i < ranges.length; i++) {
            b.putLong(536 + 16 * i, ranges[i][0]).putInt(544 + 16 * i, (int) ranges[i][1]);
        }
        return b.array();
    }

    public static byte[] writeList(byte[] token, long[]... ranges) {
        return writeList(0, 0, token, ranges);
    }

    /** The block device zero ROD token (SBC-3): ROD TYPE FFFF0001h, ROD TOKEN LENGTH 01F8h. */
    public static byte[] zeroToken() {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putInt(0, 0xFFFF0001).putShort(6, (short) 0x01F8);
        return b.array();
    }

    public static long[] range(long lba, long blocks) {
        return new long[] {lba, blocks};
    }

    /** The token in RECEIVE ROD TOKEN INFORMATION data (after the header and the sense data). */
    public static byte[] tokenOf(byte[] rrti) {
        ByteBuffer b = ByteBuffer.wrap(rrti);
        int at = 32 + (b.get(13) & 0xFF);
        if (b.getInt(at) != 0x0202) {
            throw new AssertionError("ROD TOKEN DESCRIPTORS LENGTH " + b.getInt(at));
        }
        byte[] t = new byte[512];
        b.get(at + 6, t);
        return t;
    }
}
