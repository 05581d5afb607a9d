package io.xtarget.scsi;

/**
 * Limits shared by the fabric and the command sets, so what VPD 0xB0 advertises is what the
 * fabric accepts.
 */
public final class ScsiLimits {
    /** Largest data transfer of one command, in bytes (READ/WRITE, parameter lists). */
    public static final int MAX_TRANSFER_BYTES = 32 << 20;

    private ScsiLimits() {}
}
