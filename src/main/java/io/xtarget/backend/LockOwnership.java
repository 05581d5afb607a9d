package io.xtarget.backend;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A store on shared storage that several gateways open at once, with one owner at a time (an RBD
 * image's exclusive lock): the owner is the gateway whose target port group is active/optimized.
 * Ownership moves in two ways: the owner closes the store (a clean shutdown) and another gateway
 * takes the free lock ({@link #holdExclusiveLock}); or another gateway that must serve writes takes
 * it away ({@link #takeOver}) and fences the old owner, whose operations then fail with
 * {@link StoreFencedException} until it {@link #recover recovers}.
 */
public interface LockOwnership {
    /**
     * Whether this gateway owns the store now, taking ownership first (and keeping it until the
     * store closes) when nobody holds it. False while {@link #fenced}.
     *
     * @throws IOException when ownership cannot be checked (cluster unreachable)
     */
    boolean holdExclusiveLock() throws IOException;

    /**
     * Takes ownership even from another gateway that holds it (dead or alive): breaks its lock,
     * fencing it so that nothing it sends later lands, then takes the lock.
     *
     * @return the former owners, as the storage names them (empty: this gateway owned it already
     *     or nobody did)
     * @throws StoreFencedException when this gateway is fenced itself, or lost a race for the lock
     * @throws IOException when the storage refuses
     */
    List<String> takeOver() throws IOException;

    /**
     * Gives ownership up, so that another gateway takes it (explicit ALUA); nothing when this
     * gateway does not own the store. {@link #holdExclusiveLock} would take a free lock again: the
     * caller stops calling it until it wants ownership back.
     *
     * @throws StoreFencedException when this gateway is fenced
     * @throws IOException when the storage refuses
     */
    void releaseExclusiveLock() throws IOException;

    /**
     * Whether another gateway fenced this one: every operation fails with
     * {@link StoreFencedException} until {@link #recover}.
     */
    boolean fenced();

    /**
     * After fencing: drops the fenced connection and opens the store anew (not owning it). Waits
     * for operations in flight (they fail). Does nothing when not fenced.
     *
     * @throws IOException when the store cannot be opened again (still fenced; try later)
     */
    void recover() throws IOException;

    /**
     * Opens a message channel to the other gateways of this store; {@code listener} gets each
     * message another gateway sends (on a thread of the storage's; it must not block). The
     * default: the store has none.
     *
     * @throws IOException when the channel cannot be opened (the storage is unreachable, or the
     *     store has no channel)
     */
    default PeerChannel openPeerChannel(Consumer<byte[]> listener) throws IOException {
        throw new IOException(this + " has no channel to the other gateways");
    }
}
