package io.xtarget.backend;

import java.io.Closeable;
import java.io.IOException;

/**
 * A small record kept in a store that several servers share (the RADOS object beside an RBD
 * image), replaced only by compare-and-swap on its version, with change announcements to every
 * server that follows it. Nothing SCSI: the bytes are the caller's.
 */
public interface SharedRecord extends Closeable {
    /**
     * The record's bytes and the version they had.
     *
     * @param value the bytes; empty when the record does not exist yet
     * @param version the store's version of the record; 0 when it does not exist
     */
    record Versioned(byte[] value, long version) {}

    /**
     * Reads the record as it is now.
     *
     * @throws IOException when the store cannot be reached or read
     */
    Versioned read() throws IOException;

    /**
     * Replaces the record with {@code value} if it still has {@code version} (0: if it does not
     * exist), atomically in the store.
     *
     * @return false when someone changed the record since that version (nothing written)
     * @throws IOException when the store cannot be reached or written
     */
    boolean replace(long version, byte[] value) throws IOException;

    /**
     * Tells every other follower that the record changed and returns when each of them has run
     * its {@code onChange} (or after a bounded wait for the ones that do not answer).
     *
     * @throws IOException when the store cannot be reached
     */
    void announce() throws IOException;

    /**
     * Runs {@code onChange} (on a thread of the record's) whenever another follower announces a
     * change or the record may have changed unseen (a lost and restored connection).
     *
     * @throws IOException when the store cannot be reached
     */
    void follow(Runnable onChange) throws IOException;

    /** Where the record is, for logs. */
    String describe();

    /** Stops following; no {@code onChange} runs after it returns. */
    @Override
    void close();
}
