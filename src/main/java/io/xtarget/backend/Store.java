package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The whole backend contract: a flat array of bytes with a block geometry.
 *
 * <p>A store never sees a CDB: the SCSI core has already turned LBAs into byte offsets and checked
 * them against {@link #sizeBytes()}. Offsets and lengths passed in are always multiples of
 * {@link #blockSize()} for block commands; the copy engine may use any byte offset.
 *
 * <p>Implementations must be safe for concurrent calls on disjoint or overlapping ranges (the core
 * orders commands; the store only needs to not corrupt itself).
 */
public interface Store extends AutoCloseable {

    /** Logical block size in bytes: 512 or 4096. */
    int blockSize();

    /** Capacity in bytes, a multiple of {@link #blockSize()}. */
    long sizeBytes();

    default long blockCount() {
        return sizeBytes() / blockSize();
    }

    /** Short kind name used in logs and config: "file", "ram", "block", "null", "rbd". */
    String kind();

    /** How long a small read or write may take, so the SCSI core can choose where to run it. */
    enum Speed {
        /** Never waits for a device (memory, or nothing at all). */
        MEMORY,
        /** Usually served by the page cache, sometimes by a device: the core watches its latency. */
        CACHED,
        /** May wait for a device or anything else (and wrappers that may block on purpose). */
        UNKNOWN
    }

    default Speed speed() {
        return Speed.UNKNOWN;
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst}; advances its position. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Writes {@code src.remaining()} bytes at {@code offset}; advances its position.
     *
     * @param fua force unit access: the data is durable when this returns (SBC-3 5.xx FUA bit)
     * @throws OutOfSpaceException when the space behind the store ran out (ENOSPC, EDQUOT)
     * @throws FlushFailedException when {@code fua} is set and the data was written but could
     *     not be made durable
     */
    void write(long offset, ByteBuffer src, boolean fua) throws IOException;

    /**
     * Whether {@link #startRead} and {@link #startWrite} may start operations: a fabric then tries
     * them on its receiving thread, and the completion answers the initiator, so no thread waits
     * per command. False by default (wrappers too: they see every byte through the blocking calls).
     */
    default boolean startsIo() {
        return false;
    }

    /**
     * Starts a read of {@code dst.remaining()} bytes at {@code offset} without blocking the
     * calling thread. {@code dst} belongs to the store until the future completes.
     *
     * @return null when the store cannot start it now without waiting (a lock wanted elsewhere, a
     *     heap buffer, a fenced image...): call {@link #read} from a thread that may block; else a
     *     future completed, on a thread of the store, when {@code dst} holds the bytes (its
     *     position advanced), or exceptionally with the IOException {@link #read} would throw
     */
    default CompletableFuture<Void> startRead(long offset, ByteBuffer dst) {
        return null;
    }

    /**
     * Starts a write of {@code src.remaining()} bytes at {@code offset} without blocking the
     * calling thread; {@code src} belongs to the store until the future completes. Same contract
     * as {@link #startRead}; the future fails with what {@link #write} would throw.
     */
    default CompletableFuture<Void> startWrite(long offset, ByteBuffer src, boolean fua) {
        return null;
    }

    /**
     * Makes every completed write durable (SYNCHRONIZE CACHE). Any exception means data written
     * since the last successful flush may be lost ({@link FlushFailedException}).
     */
    void flush() throws IOException;

    /**
     * The space this store allocates from, for thin provisioning thresholds and the Logical
     * Block Provisioning log page; null when it has no such pool (RAM, null, block devices).
     */
    default SpaceUsage spaceUsage() throws IOException {
        return null;
    }

    /**
     * Deallocates a byte range; later reads return zeros. Stores that cannot deallocate write
     * zeros. Default: writes zeros in bounded chunks.
     */
    default void unmap(long offset, long length) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(length, 1 << 20));
        long done = 0;
        while (done < length) {
            zeros.clear().limit((int) Math.min(zeros.capacity(), length - done));
            write(offset + done, zeros, false);
            done += zeros.limit();
        }
    }

    /**
     * Optional: WRITE SAME done by the store itself, e.g. by a storage cluster that replicates the
     * pattern where the data lives. Writes {@code block}'s remaining bytes again and again over
     * {@code length} bytes from {@code offset}; leaves {@code block}'s position alone.
     *
     * @param length bytes, a multiple of {@code block.remaining()}
     * @param fua the data is durable when this returns
     * @return true when done; false when the store has no such operation (nothing was written:
     *     the caller writes the pattern itself through {@link #write})
     * @throws OutOfSpaceException when the space behind the store ran out
     */
    default boolean writeSame(long offset, long length, ByteBuffer block, boolean fua) throws IOException {
        return false;
    }

    /** {@link #compareAndWrite}: the data matched and was written. */
    long COMPARE_MATCHED = -1;
    /** {@link #compareAndWrite}: the store has no atomic compare and write; the caller emulates it. */
    long NO_COMPARE_AND_WRITE = -2;

    /**
     * Optional: COMPARE AND WRITE done atomically by the store itself, so it holds against every
     * other writer of the same data, also those outside this process (other gateways of a
     * storage cluster). Compares the stored bytes at {@code offset} with {@code verify}; when
     * equal, writes {@code data} (as long as {@code verify}) there. Leaves both positions alone.
     *
     * @param fua the written data is durable when this returns
     * @return {@link #COMPARE_MATCHED} when written; the offset of the first differing byte,
     *     relative to {@code offset}, when the data differ (nothing written); or
     *     {@link #NO_COMPARE_AND_WRITE} (the default) when the store cannot, and nothing was read
     *     or written: the SCSI core then compares and writes under its own LBA locks, which
     *     exclude the writers of this process only
     */
    default long compareAndWrite(long offset, ByteBuffer verify, ByteBuffer data, boolean fua) throws IOException {
        return NO_COMPARE_AND_WRITE;
    }

    /**
     * A run of bytes that are all mapped or all deallocated, for GET LBA STATUS (SBC-3 5.7).
     *
     * @param length bytes in the run, at least one
     * @param mapped false when the store knows the run holds no data (it reads as zeros)
     */
    record Extent(long length, boolean mapped) {}

    /**
     * The run of bytes from {@code offset} (below {@link #sizeBytes()}) that share one provisioning
     * status. Default: the store cannot tell, so the rest of it counts as mapped (never wrong:
     * a mapped block may hold zeros).
     */
    default Extent extentAt(long offset) throws IOException {
        return new Extent(sizeBytes() - offset, true);
    }

    /**
     * Optional copy fast path used by the copy engine: copies {@code length} bytes from this store
     * at {@code srcOffset} to {@code dst} at {@code dstOffset} without going through a user buffer.
     *
     * @return the number of bytes copied (possibly fewer than requested, e.g. to allow progress
     *     reporting and abort checks), or -1 when this pair of stores has no fast path; the caller
     *     then falls back to read + write
     */
    default long copyTo(long srcOffset, Store dst, long dstOffset, long length) throws IOException {
        return -1;
    }

    @Override
    void close() throws IOException;
}
