package io.xtarget.config;

/**
 * One LUN mapping: LUN number to backstore.
 *
 * @param lun the LUN the initiator sees, 0..16383
 * @param backstore the backstore's name
 * @param readOnly config {@code "readOnly"}: the host may read but change nothing other hosts see,
 *     see {@link io.xtarget.scsi.LunMapping#readOnly}
 */
public record LunConfig(int lun, String backstore, boolean readOnly) {}
