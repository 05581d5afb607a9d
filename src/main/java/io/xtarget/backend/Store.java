package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;

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

    /** Short kind name used in logs and config: "file", "ram", "block", "null". */
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
