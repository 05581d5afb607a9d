package io.xtarget.scsi.sbc;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;

/**
 * The parameter list of SANITIZE with the OVERWRITE service action (SBC-4 5.30.2.3): byte 0 INVERT
 * (bit 7), TEST (bits 6-5) and OVERWRITE COUNT (bits 4-0), byte 1 reserved, bytes 2-3
 * INITIALIZATION PATTERN LENGTH, then the INITIALIZATION PATTERN.
 *
 * @param invert the pattern is inverted between consecutive passes, the last pass writing it as given
 * @param passes the OVERWRITE COUNT: how many times the whole medium is written, 1 to 31
 * @param pattern the initialization pattern, 1 byte to one logical block, repeated from the start
 *     of every block
 */
record OverwriteParameters(boolean invert, int passes, byte[] pattern) {
    /** Offset of the initialization pattern in the list. */
    static final int HEADER = 4;

    OverwriteParameters {
        pattern = pattern.clone();
    }

    /**
     * Checks the PARAMETER LIST LENGTH of the CDB (more than 4 and less than the block length + 5,
     * else INVALID FIELD IN CDB, SBC-4 table "SANITIZE service action codes"), takes the data-out
     * and checks every field of the list (INVALID FIELD IN PARAMETER LIST with a pointer to it).
     */
    static OverwriteParameters parse(ScsiTask task, int length, int blockSize) throws ScsiException {
        if (length <= HEADER || length > blockSize + HEADER) {
            throw new ScsiException(Sense.invalidFieldInCdb(7, -1)); // PARAMETER LIST LENGTH
        }
        ByteBuffer list = task.dataOut(length); // shorter: PARAMETER LIST LENGTH ERROR
        int b0 = list.get(0) & 0xFF;
        if ((b0 & 0x60) != 0) {
            // TEST 00b only: the other codes are for vendor testing of the sanitize itself
            throw new ScsiException(Sense.invalidFieldInParameterList(0, 6));
        }
        int passes = b0 & 0x1F;
        if (passes == 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(0, 4)); // OVERWRITE COUNT 00h is reserved
        }
        if (list.get(1) != 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(1, -1)); // reserved
        }
        int patternLength = list.getShort(2) & 0xFFFF;
        if (patternLength == 0 || patternLength > blockSize) {
            throw new ScsiException(Sense.invalidFieldInParameterList(2, -1));
        }
        if (patternLength != length - HEADER) {
            // the list is not one header and one pattern of the length it states
            throw new ScsiException(Sense.parameterListLengthError());
        }
        byte[] pattern = new byte[patternLength];
        list.get(HEADER, pattern);
        return new OverwriteParameters((b0 & 0x80) != 0, passes, pattern);
    }

    /**
     * The pattern of pass {@code pass} (0-based): with INVERT, passes alternate so that the last
     * one writes the pattern as given (SBC-4: an even count starts with the inverted pattern).
     */
    byte[] patternOfPass(int pass) {
        byte[] p = pattern.clone();
        if (invert && (passes - 1 - pass) % 2 == 1) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (byte) ~p[i];
            }
        }
        return p;
    }

    /** One logical block of the pass's data: the pattern repeated from the block's first byte. */
    byte[] blockOfPass(int pass, int blockSize) {
        byte[] p = patternOfPass(pass);
        byte[] block = new byte[blockSize];
        for (int i = 0; i < blockSize; i += p.length) {
            System.arraycopy(p, 0, block, i, Math.min(p.length, blockSize - i));
        }
        return block;
    }
}
