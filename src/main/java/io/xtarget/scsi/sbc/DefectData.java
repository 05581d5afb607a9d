package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;

/**
 * READ DEFECT DATA(10) and (12) (SBC-3 5.17, 5.18): a logical unit on a file, memory or a device
 * the host already manages has no medium defects of its own, so both the primary (PLIST) and the
 * grown (GLIST) list are empty. The header echoes what was asked: PLISTV and GLISTV for the lists
 * requested, the DEFECT LIST FORMAT requested (an empty list is valid in every format), a
 * DEFECT LIST LENGTH of zero; cut to the ALLOCATION LENGTH.
 */
final class DefectData {
    /** DEFECT LIST FORMAT 111b is reserved (SBC-4 table "Address descriptor formats"). */
    private static final int RESERVED_FORMAT = 0x07;

    private DefectData() {}

    /** READ DEFECT DATA(10): REQ_PLIST, REQ_GLIST, DEFECT LIST FORMAT in byte 2; a 4-byte header. */
    static ScsiResult readDefectData10(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        requireZero(cdb, 1, 1);
        requireZero(cdb, 3, 6);
        byte[] header = new byte[4];
        header[1] = (byte) listsAndFormat(cdb, 2);
        // bytes 2-3: DEFECT LIST LENGTH 0
        return ScsiResult.good(header, cdb.u16(7));
    }

    /**
     * READ DEFECT DATA(12): the same bits in byte 1, an ADDRESS DESCRIPTOR INDEX (any index of an
     * empty list returns no descriptor); an 8-byte header with GENERATION CODE 0 (not reported).
     */
    static ScsiResult readDefectData12(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        requireZero(cdb, 10, 10);
        byte[] header = new byte[8];
        header[1] = (byte) listsAndFormat(cdb, 1);
        // bytes 2-3: GENERATION CODE 0, bytes 4-7: DEFECT LIST LENGTH 0
        return ScsiResult.good(header, cdb.u32(6));
    }

    /** The header's byte 1: PLISTV (bit 4), GLISTV (bit 3), DEFECT LIST FORMAT (bits 2-0), as asked. */
    private static int listsAndFormat(Cdb cdb, int at) throws ScsiException {
        int b = cdb.u8(at);
        if ((b & 0xE0) != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(at, 7));
        }
        if ((b & 0x07) == RESERVED_FORMAT) {
            throw new ScsiException(Sense.invalidFieldInCdb(at, 2));
        }
        return b & 0x1F;
    }

    private static void requireZero(Cdb cdb, int from, int to) throws ScsiException {
        for (int i = from; i <= to; i++) {
            if (cdb.u8(i) != 0) {
                throw new ScsiException(Sense.invalidFieldInCdb(i, -1));
            }
        }
    }
}
