package io.xtarget.scsi.copy;

import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;

/**
 * The checks POPULATE TOKEN and WRITE USING TOKEN make alike on their parameter list (SBC-3): the
 * PARAMETER LIST LENGTH (CDB bytes 10..13) bounded by the header plus what the 16-bit BLOCK DEVICE
 * RANGE DESCRIPTOR LENGTH can name (INVALID FIELD IN CDB past it) and at least one descriptor
 * (PARAMETER LIST LENGTH ERROR), reserved flag bits (byte 2), the range length inside the list, and
 * the DATA LENGTH (bytes 0..1) covering the ranges.
 *
 * @param list the parameter list, {@code length} bytes
 * @param flags byte 2 (bits 0 and 1 only)
 * @param rangeLength BLOCK DEVICE RANGE DESCRIPTOR LENGTH, in bytes
 */
record TokenListHeader(ByteBuffer list, int flags, int rangeLength) {

    /**
     * Reads the Data-Out of {@code task} and checks it.
     *
     * @param header bytes before the first range descriptor (16 for POPULATE TOKEN, 536 for WRITE USING TOKEN)
     * @param rangeLengthField offset of BLOCK DEVICE RANGE DESCRIPTOR LENGTH
     */
    static TokenListHeader read(ScsiTask task, int header, int rangeLengthField) throws ScsiException {
        long length = task.cdb().u32(10);
        if (length > header + (long) RangeDescriptors.MAX_DESCRIPTOR_BYTES) {
            throw new ScsiException(Sense.invalidFieldInCdb(10, -1));
        }
        if (length < header + RangeDescriptors.DESCRIPTOR_BYTES) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        ByteBuffer p = task.dataOut((int) length);
        int flags = p.get(2) & 0xFF;
        if ((flags & 0xFC) != 0) {
            throw new ScsiException(Sense.invalidFieldInParameterList(2, 31 - Integer.numberOfLeadingZeros(flags)));
        }
        int rangeLength = p.getShort(rangeLengthField) & 0xFFFF;
        if (header + rangeLength > length) {
            throw new ScsiException(Sense.parameterListLengthError());
        }
        if ((p.getShort(0) & 0xFFFF) + 2 < header + rangeLength) { // DATA LENGTH
            throw new ScsiException(Sense.invalidFieldInParameterList(0, -1));
        }
        return new TokenListHeader(p, flags, rangeLength);
    }
}
