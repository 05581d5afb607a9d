package io.xtarget.config;

/**
 * One LUN mapping: LUN number to backstore.
 *
 * @param lun the LUN the initiator sees, 0..16383
 * @param backstore the backstore's name
 * @param readOnly writes through this mapping fail with DATA PROTECT
 */
public record LunConfig(int lun, String backstore, boolean readOnly) {}
