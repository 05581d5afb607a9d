package io.xtarget.iscsi;

import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.CommandSet;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * The handful of commands the fabric tests need (INQUIRY, TEST UNIT READY, READ CAPACITY(10),
 * READ(10), WRITE(10), REPORT LUNS), so fabric tests do not depend on the full command sets.
 */
final class MiniCommands implements CommandSet {
    @Override
    public void register(OpcodeTable.Builder t) {
        Set<CommandDescriptor.Flag> noLu = EnumSet.of(CommandDescriptor.Flag.NO_LU, CommandDescriptor.Flag.UA_EXEMPT);
        t.add(new CommandDescriptor(0x00, -1, "TEST UNIT READY", MediumAccess.NONE, Set.of(), new byte[] {0},
                task -> ScsiResult.good()));
        t.add(new CommandDescriptor(0x12, -1, "INQUIRY", MediumAccess.NONE, noLu, new byte[] {0x12}, task -> {
            byte[] d = new byte[36];
            d[0] = (byte) (task.lu() == null ? 0x7F : 0);
            d[2] = 6;
            d[3] = 2;
            d[4] = 31;
            System.arraycopy("XTARGET mini            0001".getBytes(), 0, d, 8, 28);
            return ScsiResult.good(d, task.cdb().u16(3));
        }));
        t.add(new CommandDescriptor(0x25, -1, "READ CAPACITY(10)", MediumAccess.NONE, Set.of(), new byte[] {0x25},
                task -> {
                    LogicalUnit lu = task.lu();
                    ByteBuffer b = ByteBuffer.allocate(8).putInt((int) (lu.blockCount() - 1)).putInt(lu.blockSize());
                    return ScsiResult.good(b.flip());
                }));
        t.add(new CommandDescriptor(0xA0, -1, "REPORT LUNS", MediumAccess.NONE, noLu, new byte[] {(byte) 0xA0}, task -> {
            int n = task.lunMap().mappings().size();
            ByteBuffer b = ByteBuffer.allocate(8 + 8 * n).putInt(8 * n).putInt(0);
            task.lunMap().mappings().forEach(m -> b.putLong(io.xtarget.scsi.LunAddress.encode(m.lun())));
            return ScsiResult.good(b.array(), task.cdb().u32(6));
        }));
        t.add(new CommandDescriptor(0x28, -1, "READ(10)", MediumAccess.READ, Set.of(), new byte[] {0x28}, task -> {
            LogicalUnit lu = task.lu();
            long lba = task.cdb().u32(2);
            int blocks = task.cdb().u16(7);
            if (!lu.inRange(lba, blocks)) {
                throw new ScsiException(Sense.lbaOutOfRange());
            }
            ByteBuffer b = task.allocate(blocks * lu.blockSize());
            lu.read(lba, b.duplicate());
            return ScsiResult.good(b);
        }));
        t.add(new CommandDescriptor(0x2A, -1, "WRITE(10)", MediumAccess.WRITE, Set.of(), new byte[] {0x2A}, task -> {
            LogicalUnit lu = task.lu();
            long lba = task.cdb().u32(2);
            int blocks = task.cdb().u16(7);
            ByteBuffer data = task.dataOutBlocks(blocks, lu.blockSize());
            if (!lu.inRange(lba, blocks)) {
                throw new ScsiException(Sense.lbaOutOfRange());
            }
            lu.write(lba, data, task.cdb().bit(1, 3));
            return ScsiResult.good();
        }));
    }
}
