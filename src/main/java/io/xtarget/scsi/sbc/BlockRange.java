package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.Sense;

/**
 * The LBA, block count and byte-1 flags of one block command, decoded in one place for every
 * CDB size (SBC-3 4.2.2: the 6/10/12/16-byte layouts only differ in where the fields sit).
 * READ, WRITE, VERIFY, WRITE AND VERIFY, PRE-FETCH, SYNCHRONIZE CACHE, WRITE SAME, ORWRITE,
 * COMPARE AND WRITE and WRITE ATOMIC all share this decode and its checks.
 *
 * @param lba the LOGICAL BLOCK ADDRESS (a 64-bit LBA with the top bit set decodes negative and
 *     is always out of range)
 * @param blocks the TRANSFER LENGTH / NUMBER OF LOGICAL BLOCKS, as sent (0 keeps its meaning
 *     for the caller: READ(6)/WRITE(6) already turned it into 256)
 * @param flags CDB byte 1 (xxPROTECT, DPO, FUA, BYTCHK, IMMED, UNMAP... by command)
 * @param lengthField index of the first byte of the length field, for field pointers
 */
record BlockRange(long lba, long blocks, int flags, int lengthField) {

    /** Decodes the LBA and length fields by CDB layout. */
    static BlockRange decode(Cdb cdb) {
        int op = cdb.opcode();
        if (op == SbcOpcodes.COMPARE_AND_WRITE) {
            // SBC-3 5.2: LBA in bytes 2..9, NUMBER OF LOGICAL BLOCKS is the single byte 13
            return new BlockRange(cdb.u64(2), cdb.u8(13), cdb.u8(1), 13);
        }
        if (op == SbcOpcodes.WRITE_ATOMIC_16) {
            // SBC-4 5.48: LBA in bytes 2..9, ATOMIC BOUNDARY 10..11, a 16-bit TRANSFER LENGTH 12..13
            return new BlockRange(cdb.u64(2), cdb.u16(12), cdb.u8(1), 12);
        }
        return switch (Cdb.standardLength(op)) {
            case 6 -> {
                // READ(6)/WRITE(6), SBC-3 5.14/5.36: 21-bit LBA, TRANSFER LENGTH 0 means 256 blocks
                int len = cdb.u8(4);
                yield new BlockRange(cdb.u24(1) & 0x1F_FFFF, len == 0 ? 256 : len, 0, 4);
            }
            case 10 -> new BlockRange(cdb.u32(2), cdb.u16(7), cdb.u8(1), 7);
            case 12 -> new BlockRange(cdb.u32(2), cdb.u32(6), cdb.u8(1), 6);
            default -> new BlockRange(cdb.u64(2), cdb.u32(10), cdb.u8(1), 10);
        };
    }

    /** RDPROTECT / WRPROTECT / VRPROTECT / ORPROTECT (byte 1 bits 7..5). */
    int protect() {
        return (flags >>> 5) & 7;
    }

    boolean dpo() {
        return (flags & 0x10) != 0;
    }

    boolean fua() {
        return (flags & 0x08) != 0;
    }

    /** BYTCHK of VERIFY and WRITE AND VERIFY (byte 1 bits 2..1, SBC-3 5.30/5.41). */
    int bytchk() {
        return (flags >>> 1) & 3;
    }

    /** IMMED of PRE-FETCH and SYNCHRONIZE CACHE (byte 1 bit 1). */
    boolean immed() {
        return (flags & 0x02) != 0;
    }

    /**
     * The LU formats no protection information (PROT_EN=0), so any non-zero xxPROTECT field is
     * an invalid field (SBC-3 4.22.2, table 95 and its siblings).
     */
    BlockRange requireNoProtection() throws ScsiException {
        if (protect() != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(1, 7));
        }
        return this;
    }

    /** LBA OUT OF RANGE unless [lba, lba+blocks) lies on the medium (SBC-3 4.5). */
    BlockRange requireInRange(LogicalUnit lu) throws ScsiException {
        if (!lu.inRange(lba, blocks)) {
            throw new ScsiException(Sense.lbaOutOfRange());
        }
        return this;
    }

    /**
     * The byte count of the transfer; INVALID FIELD IN CDB at the length field when it exceeds
     * what VPD 0xB0 advertises as MAXIMUM TRANSFER LENGTH.
     */
    int requireTransferBytes(int blockSize) throws ScsiException {
        if (blocks > ScsiLimits.MAX_TRANSFER_BYTES / blockSize) {
            throw new ScsiException(Sense.invalidFieldInCdb(lengthField, -1));
        }
        return (int) (blocks * blockSize);
    }

    /** The block count, with 0 meaning "to the end of the medium" (PRE-FETCH, SYNCHRONIZE CACHE). */
    long blocksOrToEnd(LogicalUnit lu) {
        return blocks != 0 ? blocks : Math.max(0, lu.blockCount() - lba);
    }
}
