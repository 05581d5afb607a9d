package io.xtarget.config;

import io.xtarget.backend.Store;
import io.xtarget.backend.rbd.RadosRecord;
import io.xtarget.backend.rbd.RbdStore;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.ReservationCodec;
import io.xtarget.scsi.SharedReservationLedger;
import io.xtarget.scsi.TaskManager;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a gateway keeps an LU's reservations: for an RBD image, in the RADOS object
 * {@code xtarget.reservations.ID} of the image's pool, ID being the image's id (so a new image
 * under an old name starts without the old one's reservations; an image without an id, format 1,
 * uses its name), shared by every gateway that exports the image, followed by watch/notify
 * ({@link SharedReservationLedger}). Other stores, and an image that is missing or whose cluster
 * was unreachable at start, keep them in memory.
 */
final class SharedReservations {
    private static final Logger log = LoggerFactory.getLogger(SharedReservations.class);

    private SharedReservations() {}

    /** The RADOS object that holds the reservations of the image with this id (or, without one, name). */
    static String objectName(String imageIdOrName) {
        return "xtarget.reservations." + imageIdOrName;
    }

    /**
     * Moves {@code lu}'s reservations into the cluster when {@code store} (unwrapped) is an RBD
     * image.
     *
     * @throws ConfigException when the record cannot be read or followed: a gateway that kept
     *     reservations to itself would let hosts through that another gateway refuses
     */
    static void attach(LogicalUnit lu, Store store, String path) {
        if (!(store instanceof RbdStore rbd)) {
            return;
        }
        RadosRecord record = null;
        try {
            String id = RadosRecord.imageId(rbd.spec());
            record = RadosRecord.open(rbd.spec(), objectName(id != null ? id : rbd.spec().image()));
            lu.reservations().useLedger(SharedReservationLedger.follow(record, lu.unitAttentions(),
                    preempted -> TaskManager.abortPreemptedElsewhere(lu, preempted)));
            log.info("backstore {}: reservations shared through {}", lu.name(), record.describe());
        } catch (IOException e) {
            if (record != null) {
                record.close();
            }
            throw new ConfigException(path, "cannot share the reservations of backstore \"" + lu.name() + "\": "
                    + e.getMessage() + (e instanceof ReservationCodec.UnreadableRecordException && record != null
                            ? " (to start afresh, dropping every registration: rados -p " + rbd.spec().pool() + " rm "
                            + record.describe().substring(record.describe().lastIndexOf('/') + 1) + ")" : ""));
        }
    }
}
