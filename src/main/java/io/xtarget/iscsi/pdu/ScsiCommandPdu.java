package io.xtarget.iscsi.pdu;

import java.nio.ByteBuffer;

/**
 * SCSI Command (RFC 7143 11.3). {@code cdb} is the 16 header bytes, extended by an Extended CDB AHS
 * when present.
 *
 * @param attributes task attribute, bits 2..0 of byte 1 (0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA)
 */
public record ScsiCommandPdu(boolean immediate, boolean fin, boolean read, boolean write, int attributes, long lun,
        int itt, long expectedDataTransferLength, int cmdSn, int expStatSn, byte[] cdb, ByteBuffer data)
        implements Pdu {
    public ScsiCommandPdu {
        data = Pdu.orEmpty(data);
    }

    public int opcode() {
        return Opcode.SCSI_COMMAND;
    }

    static ScsiCommandPdu decode(Bhs h, byte[] ahs, ByteBuffer data) {
        int f = h.flags();
        byte[] cdb = h.slice(32, 16);
        byte[] ext = ExtendedCdb.find(ahs);
        if (ext != null) {
            byte[] full = new byte[16 + ext.length];
            System.arraycopy(cdb, 0, full, 0, 16);
            System.arraycopy(ext, 0, full, 16, ext.length);
            cdb = full;
        }
        return new ScsiCommandPdu(h.immediate(), (f & 0x80) != 0, (f & 0x40) != 0, (f & 0x20) != 0, f & 0x07,
                h.i64(8), h.i32(16), h.u32(20), h.i32(24), h.i32(28), cdb, data);
    }

    public void encode(Bhs h) {
        h.opcode(Opcode.SCSI_COMMAND, immediate)
                .put8(1, (fin ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | (attributes & 7))
                .put64(8, lun).put32(16, itt).put32(20, expectedDataTransferLength).put32(24, cmdSn)
                .put32(28, expStatSn).putBytes(32, cdb, 16);
    }
}
