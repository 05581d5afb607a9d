package io.xtarget.backend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Stands in for a file or block backstore whose image (or device) does not exist, so its logical
 * unit can stay mapped without xtarget inventing an empty disk under the old identity. It has the
 * configured block size and the configured size (0 when none was given), holds no data, and every
 * read, write, flush or unmap fails with an I/O error naming the path. The SCSI core never lets
 * a command get that far: it answers NOT READY for the logical unit first.
 */
public final class MissingStore implements Store {
    private final Path path;
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
        StoreGeometry.checkBlockSize(blockSize);
        if (sizeBytes < 0 || sizeBytes % blockSize != 0) {
            throw new IOException("size " + sizeBytes + " is not a multiple of the block size " + blockSize);
        }
        this.path = path;
        this.kind = kind;
        this.blockSize = blockSize;
        this.sizeBytes = sizeBytes;
    }

    /** The image file or device that is missing. */
    public Path path() {
        return path;
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
        return new IOException(path + " is missing");
    }

    /** Nothing is open. */
    @Override
    public void close() {}

    @Override
    public String toString() {
        return "MissingStore(" + kind + " " + path + ")";
    }
}
