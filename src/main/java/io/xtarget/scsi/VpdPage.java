package io.xtarget.scsi;

/**
 * Builds one VPD page (SPC-4 7.8) for the addressed logical unit: the whole page, 4-byte header
 * included. Command sets register pages in the {@link OpcodeTable}, so INQUIRY's list of
 * supported pages (VPD 0x00) is derived from what is registered.
 */
@FunctionalInterface
public interface VpdPage {
    byte[] build(ScsiTask task) throws ScsiException;
}
