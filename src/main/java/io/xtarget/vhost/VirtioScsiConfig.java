package io.xtarget.vhost;

import io.xtarget.scsi.ScsiLimits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The virtio-scsi device configuration space (virtio 1.1 5.6.4), as VHOST_USER_GET_CONFIG returns
 * it. QEMU's vhost-user-scsi builds its own from its device properties and never asks; we answer
 * with what this back-end serves:
 *
 * <ul>
 *   <li>num_queues: the request queues (virtqueues 2 and up);
 *   <li>seg_max 126: a chain holds at most Queue Size descriptors (2.6.5.3.1), two of them the
 *       headers, for QEMU's default Queue Size of 128;
 *   <li>max_sectors 65535 of 512 bytes: under the core's largest transfer
 *       ({@link ScsiLimits#MAX_TRANSFER_BYTES}); cmd_per_lun 128;
 *   <li>event_info_size 16, sense_size 96, cdb_size 32 (the defaults, fixed: SET_CONFIG refused);
 *   <li>max_channel 0, max_target 0 (one target per socket), max_lun 16383 (flat addressing).
 * </ul>
 */
final class VirtioScsiConfig {
    static final int BYTES = 36;
    static final int SEG_MAX = 126;
    static final int MAX_SECTORS = 0xFFFF;
    static final int CMD_PER_LUN = 128;
    static final int MAX_LUN = 16383;
    /** Largest config access accepted (QEMU's VHOST_USER_MAX_CONFIG_SIZE). */
    static final int MAX_ACCESS = 256;

    private final byte[] space;

    VirtioScsiConfig(int requestQueues) {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(requestQueues).putInt(SEG_MAX).putInt(MAX_SECTORS).putInt(CMD_PER_LUN);
        b.putInt(VirtioScsi.EVENT_INFO_SIZE).putInt(VirtioScsi.SENSE_SIZE).putInt(VirtioScsi.CDB_SIZE);
        b.putShort((short) 0).putShort((short) 0).putInt(MAX_LUN);
        this.space = b.array();
    }

    byte[] bytes() {
        return space.clone();
    }

    /**
     * The reply to GET_CONFIG: the request's offset, size and flags with {@code size} bytes of the
     * space from {@code offset}; an access outside the space gets a reply without payload, which
     * the protocol defines as the error answer.
     */
    byte[] answer(ByteBuffer request, int payloadBytes) throws DeviceException {
        if (payloadBytes < 12) {
            throw new DeviceException("GET_CONFIG of " + payloadBytes + " bytes");
        }
        int offset = request.getInt(0);
        int size = request.getInt(4);
        int flags = request.getInt(8);
        if (size < 0 || size > MAX_ACCESS || payloadBytes != 12 + size) {
            throw new DeviceException("GET_CONFIG of " + Integer.toUnsignedString(size) + " bytes in a payload of "
                    + payloadBytes);
        }
        if (offset < 0 || offset > BYTES || size > BYTES - offset) {
            return new byte[0];
        }
        ByteBuffer b = ByteBuffer.allocate(12 + size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(offset).putInt(size).putInt(flags).put(space, offset, size);
        return b.array();
    }
}
