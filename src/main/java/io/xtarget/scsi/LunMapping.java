package io.xtarget.scsi;

/**
 * One row of a LUN map: the LUN number an initiator sees and the logical unit behind it.
 *
 * @param lun the LUN as the initiator addresses it (0..16383, peripheral/flat addressing)
 * @param unit the logical unit
 * @param readOnly writes through this mapping fail with DATA PROTECT / WRITE PROTECTED
 */
public record LunMapping(int lun, LogicalUnit unit, boolean readOnly) {}
