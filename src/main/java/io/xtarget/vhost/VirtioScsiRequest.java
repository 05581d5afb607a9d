package io.xtarget.vhost;

import io.xtarget.scsi.LunAddress;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The device-readable header of a virtio-scsi command request (virtio 1.1 5.6.6.1): the 8-byte
 * LUN (byte 0 is 1, byte 1 the target, bytes 2-3 the LUN in SAM format), the command identifier,
 * task attribute, priority, CRN and a CDB of cdb_size bytes. The data-out follows it in the
 * readable part of the chain; the response header, then the data-in, fill the writable part.
 *
 * @param target the target byte (we expose target 0 only)
 * @param lun the logical unit number decoded from bytes 2-7 (SAM-5 4.7, peripheral or flat
 *     addressing), or -1 when the address is of any other form
 * @param addressed whether byte 0 is 1 as 5.6.6.1 requires
 * @param tag the command identifier ("id"), the driver's handle for task management
 * @param taskAttr SIMPLE, ORDERED, HEAD or ACA (5.6.6.1)
 * @param cdb the CDB, all cdb_size bytes of it
 */
record VirtioScsiRequest(int target, int lun, boolean addressed, long tag, int taskAttr, int prio, int crn,
        byte[] cdb) {

    /**
     * Reads the header from a chain. A chain too short for the request header or for the response
     * header the device must write breaks the device (a driver MUST supply both, 5.6.6.1).
     */
    static VirtioScsiRequest parse(DescriptorChain c) throws DeviceException {
        if (c.readableBytes() < VirtioScsi.REQUEST_HEADER_BYTES || c.writableBytes() < VirtioScsi.RESPONSE_HEADER_BYTES) {
            throw new DeviceException("virtio-scsi request with " + c.readableBytes() + " readable and "
                    + c.writableBytes() + " writable bytes (headers need " + VirtioScsi.REQUEST_HEADER_BYTES + " and "
                    + VirtioScsi.RESPONSE_HEADER_BYTES + ")");
        }
        byte[] h = new byte[VirtioScsi.REQUEST_HEADER_BYTES];
        c.read(0, MemorySegment.ofArray(h));
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        byte[] cdb = new byte[VirtioScsi.CDB_SIZE];
        System.arraycopy(h, 19, cdb, 0, cdb.length);
        return new VirtioScsiRequest(h[1] & 0xFF, lun(h, 0), h[0] == 1, b.getLong(8), h[16] & 0xFF, h[17] & 0xFF,
                h[18] & 0xFF, cdb);
    }

    /** The LUN of the 8 bytes at {@code off}: bytes 2-7 as the first levels of a SAM LUN field. */
    static int lun(byte[] h, int off) {
        long sam = 0;
        for (int i = 2; i < 8; i++) {
            sam |= (long) (h[off + i] & 0xFF) << (8 * (9 - i));
        }
        return LunAddress.decode(sam);
    }

    /** Whether the request addresses our one target (byte 0 is 1, target 0). */
    boolean ourTarget() {
        return addressed && target == 0;
    }

    /** The readable bytes after the header: the data-out. */
    static long dataOutLength(DescriptorChain c) {
        return c.readableBytes() - VirtioScsi.REQUEST_HEADER_BYTES;
    }

    /** The writable bytes after the response header: room for the data-in. */
    static long dataInCapacity(DescriptorChain c) {
        return c.writableBytes() - VirtioScsi.RESPONSE_HEADER_BYTES;
    }

    /**
     * Writes the response header (sense_len, residual, status_qualifier 0, status, response,
     * sense) at the start of the writable part; the sense is cut to sense_size.
     */
    static void writeResponse(DescriptorChain c, int response, int status, byte[] sense, long residual) {
        byte[] h = new byte[VirtioScsi.RESPONSE_HEADER_BYTES];
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        int senseLen = sense == null ? 0 : Math.min(sense.length, VirtioScsi.SENSE_SIZE);
        b.putInt(senseLen).putInt((int) Math.min(residual, 0xFFFFFFFFL)).putShort((short) 0);
        b.put((byte) status).put((byte) response);
        if (senseLen > 0) {
            b.put(sense, 0, senseLen);
        }
        c.write(0, MemorySegment.ofArray(h));
    }

    @Override
    public String toString() {
        return "virtio-scsi id 0x" + Long.toHexString(tag) + " target " + target + " lun " + lun + " op 0x"
                + Integer.toHexString(cdb[0] & 0xFF);
    }
}
