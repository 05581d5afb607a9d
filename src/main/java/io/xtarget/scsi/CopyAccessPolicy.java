package io.xtarget.scsi;

/**
 * Which logical units an EXTENDED COPY received through a target may name as copy source or
 * destination.
 */
public enum CopyAccessPolicy {
    /** Any LU the requesting initiator may access through any target's ACL (the default). */
    INITIATOR,
    /** Only LUs mapped to the requesting initiator through the receiving target. */
    PORT
}
