package io.xtarget.scsi.sbc;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;

/** READ CAPACITY(10) and READ CAPACITY(16) (SBC-3 5.16, 5.17). */
final class CapacityCommands {
    private CapacityCommands() {}

    private static long lastLba(LogicalUnit lu) {
        return Math.max(0, lu.blockCount() - 1);
    }

    /**
     * READ CAPACITY(10): 0xFFFFFFFF tells the initiator to use READ CAPACITY(16) when the last
     * LBA does not fit 32 bits. PMI is obsolete; with PMI=0 a non-zero LBA is an invalid field.
     */
    static ScsiResult readCapacity10(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        if (!cdb.bit(8, 0) && cdb.u32(2) != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
        }
        LogicalUnit lu = task.lu();
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putInt(0, (int) Math.min(lastLba(lu), 0xFFFF_FFFFL));
        b.putInt(4, lu.blockSize());
        return ScsiResult.good(b.array(), 8);
    }

    /**
     * READ CAPACITY(16), SBC-3 5.16.2: no protection information; LOGICAL BLOCKS PER PHYSICAL
     * BLOCK EXPONENT from the LU's physical block size (0 unless it is configured, 3 for 512-byte
     * logical blocks on 4096-byte physical ones); LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0 (LBA 0
     * starts a physical block); LBPME=1 (UNMAP and WRITE SAME with UNMAP are served) and LBPRZ=1
     * (unmapped blocks read as zeros). The data is cut to ALLOCATION LENGTH.
     */
    static ScsiResult readCapacity16(ScsiTask task) throws ScsiException {
        Cdb cdb = task.cdb();
        if (!cdb.bit(14, 0) && cdb.u64(2) != 0) {
            throw new ScsiException(Sense.invalidFieldInCdb(2, -1));
        }
        LogicalUnit lu = task.lu();
        ByteBuffer b = ByteBuffer.allocate(32);
        b.putLong(0, lastLba(lu));
        b.putInt(8, lu.blockSize());
        b.put(12, (byte) 0); // P_TYPE, PROT_EN = 0
        // P_I_EXPONENT 0; LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT
        b.put(13, (byte) Integer.numberOfTrailingZeros(lu.logicalPerPhysical()));
        b.put(14, (byte) 0xC0); // LBPME, LBPRZ; LOWEST ALIGNED LBA = 0
        return ScsiResult.good(b.array(), cdb.u32(10));
    }
}
