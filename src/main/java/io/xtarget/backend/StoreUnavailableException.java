package io.xtarget.backend;

import java.io.IOException;

/**
 * The storage behind a store cannot be reached now, and nothing says the data is damaged: a
 * network store's cluster did not answer in time ({@code -ETIMEDOUT}, {@code -ENOTCONN}). (A
 * client the cluster refuses, Ceph's {@code -EBLOCKLISTED}, is a {@link StoreFencedException}.) Writes a network store acknowledged before are durable
 * on the cluster, so this is no {@link FlushFailedException} and does not fail the logical unit:
 * the SCSI core answers NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE (04h/00h) and the
 * initiator may retry (on another path once there are several gateways).
 */
public final class StoreUnavailableException extends IOException {
    public StoreUnavailableException(String message) {
        super(message);
    }
}
