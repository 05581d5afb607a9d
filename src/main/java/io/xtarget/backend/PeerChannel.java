package io.xtarget.backend;

import java.io.IOException;
import java.time.Duration;

/**
 * Messages between the gateways that share a store ({@link LockOwnership#openPeerChannel}): what
 * one sends reaches the listener of every other gateway's channel on the same store, and
 * {@link #send} returns once each of them handled it. Messages are short byte strings whose
 * meaning the caller decides.
 */
public interface PeerChannel extends AutoCloseable {
    /**
     * Sends {@code message} to the other gateways and waits until each one's listener returned,
     * or {@code timeout} passed.
     *
     * @throws IOException when the storage refused the message or a gateway did not answer in time
     *     (the others did get it)
     */
    void send(byte[] message, Duration timeout) throws IOException;

    /** Whether the channel stopped receiving (e.g. its connection timed out): open a new one. */
    boolean broken();

    /** Stops receiving and disconnects. */
    @Override
    void close();
}
