package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Stands in for a backstore whose image (file, device, RBD image) does not exist, or whose
 * storage cluster could not be reached when it was opened, so its logical unit can stay mapped
 * without xtarget inventing an empty disk under the old identity. It has the configured block
 * size and the configured size (0 when none was given), holds no data, and every read, write,
 * flush or unmap fails with an I/O error naming the image. The SCSI core never lets a command get
 * that far: it answers NOT READY for the logical unit first.
 */
public final class MissingStore implements Store {
    private final String image;
    /** Null when the image is missing; else why it could not be opened (an unreachable cluster). */
    private final String unreachable;
    private final String kind;
    private final int blockSize;
    private final long sizeBytes;

    /**
     * @param path the image or device that is missing
     * @param kind the configured store kind ("file" or "block")
     * @param sizeBytes the configured size, or 0 when none was given (a block device, or an image
     *     whose size was taken from the file)
     */
    public MissingStore(Path path, String kind, int blockSize, long sizeBytes) throws IOException {
        this(path.toString(), null, kind, blockSize, sizeBytes);
    }

    private MissingStore(String image, String unreachable, String kind, int blockSize, long sizeBytes)
            throws IOException {
        StoreGeometry.checkBlockSize(blockSize);
        if (sizeBytes < 0 || sizeBytes % blockSize != 0) {
            throw new IOException("size " + sizeBytes + " is not a multiple of the block size " + blockSize);
        }
        this.image = image;
        this.unreachable = unreachable;
        this.kind = kind;
        this.blockSize = blockSize;
        this.sizeBytes = sizeBytes;
    }

    /**
     * An image that is not in its storage cluster (an RBD image).
     *
     * @param image how logs name it, e.g. "rbd:pool/image"
     */
    public static MissingStore missing(String image, String kind, int blockSize, long sizeBytes) throws IOException {
        return new MissingStore(image, null, kind, blockSize, sizeBytes);
    }

    /**
     * An image whose storage cluster could not be reached when it was opened: whether it exists
     * is not known.
     *
     * @param reason the error, for the log
     */
    public static MissingStore unreachable(String image, String reason, String kind, int blockSize, long sizeBytes)
            throws IOException {
        return new MissingStore(image, reason, kind, blockSize, sizeBytes);
    }

    /** The image file, device or RBD image that is missing (a path, or e.g. "rbd:pool/image"). */
    public String image() {
        return image;
    }

    /** Why the image could not be opened although it may exist (its cluster was unreachable), or null when it is missing. */
    public String unreachableReason() {
        return unreachable;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long sizeBytes() {
        return sizeBytes;
    }

    @Override
    public String kind() {
        return kind;
    }

    /** Nothing to wait for: every access fails at once. */
    @Override
    public Speed speed() {
        return Speed.MEMORY;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        throw missing();
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        throw missing();
    }

    @Override
    public void flush() throws IOException {
        throw missing();
    }

    @Override
    public void unmap(long offset, long length) throws IOException {
        throw missing();
    }

    private IOException missing() {
        return new IOException(image + (unreachable == null ? " is missing" : " cannot be reached"));
    }

    /** Nothing is open. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "MissingStore(" + kind + " " + image + ")";
    }
}
