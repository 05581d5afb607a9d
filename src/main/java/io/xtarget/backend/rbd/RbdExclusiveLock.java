package io.xtarget.backend.rbd;

import io.xtarget.backend.StoreFencedException;
import java.io.IOException;
import java.util.List;

/**
 * The exclusive lock of an open image as the gateways of an image use it (librbd.h, "exclusive
 * lock feature", {@link RbdLockHandoff}): give it up, or take it away from a client that holds it. Ceph
 * facts this relies on (Ceph 16): {@code rbd_lock_acquire} switches the image to librbd's
 * standard lock policy, so an owner refuses other clients' requests for the lock (they get
 * {@code -EROFS}) and keeps it until it closes the image or loses it; {@code rbd_lock_break}
 * breaks a live owner's lock and, with {@code rbd_blocklist_on_break_lock=true} (librbd's default,
 * which {@link RbdCluster} also sets), first blocklists the owner's client address in the OSD map
 * (for {@code rbd_blocklist_expire_seconds}, 0: the monitors' {@code mon_osd_blocklist_default_expire},
 * one hour) and waits for the OSDs to have that map, so no write of the old owner lands after the
 * break. A blocklisted client's requests fail with {@code -EBLOCKLISTED} (108).
 */
final class RbdExclusiveLock {
    private RbdExclusiveLock() {}

    /**
     * Makes this client the lock's owner whoever holds it: breaks every other owner's lock
     * (blocklisting it, see above), then acquires it. Returns the owners whose locks were broken
     * (empty when the lock was this client's or free).
     *
     * @throws StoreFencedException when this client is blocklisted itself, or another client took
     *     the lock between the break and the acquire (reason LOCKED_ELSEWHERE)
     * @throws IOException when librbd refuses the break for another reason
     */
    static List<String> takeOver(RbdImage image) throws IOException {
        if (image.isExclusiveLockOwner()) {
            return List.of();
        }
        List<String> owners = image.lockOwners();
        for (String owner : owners) {
            int rc = image.breakLock(owner);
            if (rc < 0 && rc != -RbdErrors.ENOENT) { // ENOENT: released meanwhile
                throw RbdErrors.of("breaking the lock of " + owner + " on " + image.spec(), -rc);
            }
        }
        int rc = image.acquireExclusiveLock();
        if (rc < 0) {
            throw RbdErrors.of("rbd_lock_acquire of " + image.spec() + " after breaking " + owners, -rc);
        }
        if (!image.isExclusiveLockOwner()) {
            throw new StoreFencedException("another client took the lock of " + image.spec() + " first",
                    StoreFencedException.Reason.LOCKED_ELSEWHERE);
        }
        return owners;
    }

    /**
     * Gives the lock up when this client owns it (explicit ALUA: another gateway is to be the
     * owner), leaving it free for the next client that takes it; nothing when it does not own it.
     *
     * @throws StoreFencedException when this client is blocklisted
     * @throws IOException when librbd refuses
     */
    static void release(RbdImage image) throws IOException {
        if (!image.isExclusiveLockOwner()) {
            return;
        }
        int rc = image.releaseExclusiveLock();
        // librbd answers EINVAL ("not exclusive lock owner") also while the lock briefly accepts no
        // requests (it blocks them during its own maintenance): try again for up to a second
        for (int attempt = 0; rc == -RbdErrors.EINVAL && attempt < 20; attempt++) {
            if (!image.isExclusiveLockOwner()) {
                return; // it went between the check and the call
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            rc = image.releaseExclusiveLock();
        }
        if (rc < 0) {
            throw RbdErrors.of("rbd_lock_release of " + image.spec(), -rc);
        }
    }
}
