package io.xtarget.backend;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * A store on shared storage that several gateways open at once (an RBD image). Writes need the
 * storage's exclusive lock, which the store takes from the gateway holding it when it must write:
 * cooperatively when that gateway answers, and by breaking its lock and fencing it when it does
 * not (dead or hung), so that nothing it sends later lands; its operations then fail with
 * {@link StoreFencedException} until it {@link #recover recovers}. Apart from the lock, one gateway
 * is the store's <em>home</em>, the one whose target port group is active/optimized: it holds a
 * lease it renews ({@link #holdHome}), which expires when it dies and moves on an explicit request
 * ({@link #claimHome}, {@link #releaseHome}).
 */
public interface LockOwnership {
    /**
     * Whether this gateway is the store's home now: renews its lease, or takes a free or expired
     * one (not after {@link #releaseHome}, until {@link #claimHome}). The first call also makes
     * writes hand the lock over between gateways. False while {@link #fenced}. Call it regularly
     * (well within the lease, 10 s on RBD).
     *
     * @throws IOException when it cannot be checked (cluster unreachable)
     */
    boolean holdHome() throws IOException;

    /**
     * Makes this gateway the home whoever is (SET TARGET PORT GROUPS): takes the lease from its
     * holder (which learns it at its next renewal) and the lock, as a write would.
     *
     * @throws StoreFencedException when this gateway is fenced, or the lock could not be had
     * @throws IOException when the storage refuses
     */
    void claimHome() throws IOException;

    /**
     * Gives home up (SET TARGET PORT GROUPS), and the lock, so that another gateway becomes home;
     * {@link #holdHome} does not take it back until {@link #claimHome}.
     *
     * @throws StoreFencedException when this gateway is fenced
     * @throws IOException when the storage refuses
     */
    void releaseHome() throws IOException;

    /**
     * Whether another gateway fenced this one: every operation fails with
     * {@link StoreFencedException} until {@link #recover}.
     */
    boolean fenced();

    /**
     * After fencing: drops the fenced connection and opens the store anew (not owning it), and
     * refuses writes ({@link StoreFencedException}) for {@code refuseWritesFor}: they were queued
     * here before the host failed over and must not land after what it wrote since elsewhere.
     * Waits for operations in flight (they fail). Does nothing when not fenced.
     *
     * @throws IOException when the store cannot be opened again (still fenced; try later)
     */
    void recover(java.time.Duration refuseWritesFor) throws IOException;

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
