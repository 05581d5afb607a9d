package io.xtarget.backend;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A store in a regular file (a disk image).
 *
 * <p>Sizing rules: a missing file is created (when the caller allows it) sparse at the requested size (ftruncate, so only
 * written blocks take disk space). An existing file keeps its size, rounded down to whole
 * blocks; it is an error when it is smaller than a requested size (xtarget never grows or
 * shrinks an image behind the user's back) or holds no whole block.
 */
public final class FileStore extends ChannelStore {
    private final Path path;
    /** Punches holes for UNMAP; null where the platform cannot (then zeros are written). */
    private final HolePuncher puncher;

    private FileStore(Path path, FileChannel channel, int blockSize, long sizeBytes) {
        super(channel, blockSize, sizeBytes);
        this.path = path;
        this.puncher = HolePuncher.open(path);
    }

    /**
     * UNMAP / WRITE SAME with UNMAP: the range is deallocated in the file (a hole), so a thin
     * image gives the space back; where holes are not supported, zeros are written.
     */
    @Override
    public void unmap(long offset, long length) throws IOException {
        Bounds.check(offset, length, sizeBytes());
        if (puncher == null || !puncher.punch(offset, length)) {
            super.unmap(offset, length);
        }
    }

    /**
     * The image's file system (statvfs) and the blocks the image occupies (statx); the total
     * and available space are the file system's, shared with every other file on it.
     */
    @Override
    public SpaceUsage spaceUsage() throws IOException {
        java.nio.file.FileStore fs = Files.getFileStore(path);
        return new SpaceUsage(fs.getTotalSpace(), fs.getUsableSpace(), FileAllocation.allocatedBytes(path));
    }

    /**
     * A failed write is out of space when the error says so, or when the file system has fewer
     * free blocks than the write still needed (a message in another language, or an error the
     * C library words differently); free blocks counted as root sees them (f_bfree).
     */
    @Override
    IOException writeFailure(IOException e, long bytes) {
        IOException c = OutOfSpaceException.classify(e);
        if (c != e) {
            return c;
        }
        try {
            if (Files.getFileStore(path).getUnallocatedSpace() < Math.max(1, bytes)) {
                return new OutOfSpaceException("no free space on the file system of " + path + " (" + e.getMessage() + ")", e);
            }
        } catch (IOException ignored) {
            // cannot tell: report the original error
        }
        return e;
    }

    @Override
    public void close() throws IOException {
        if (puncher != null) {
            puncher.close();
        }
        super.close();
    }

    /**
     * Opens (or creates) a disk image.
     *
     * @param requestedSize bytes, a positive multiple of {@code blockSize}; or 0 to require an
     *     existing file and use its size
     */
    public static FileStore open(Path path, int blockSize, long requestedSize) throws IOException {
        return open(path, blockSize, requestedSize, true);
    }

    /**
     * Opens a disk image, creating a missing one only when {@code create} is true.
     *
     * @param requestedSize bytes, a positive multiple of {@code blockSize}; or 0 to require an
     *     existing file and use its size
     * @throws NoSuchFileException when the file does not exist and is not created (not allowed,
     *     or no size to create it with)
     */
    public static FileStore open(Path path, int blockSize, long requestedSize, boolean create) throws IOException {
        StoreGeometry.checkBlockSize(blockSize);
        if (requestedSize < 0 || requestedSize % blockSize != 0) {
            throw new IOException("size " + requestedSize + " is not a multiple of the block size " + blockSize);
        }
        if (!Files.exists(path)) {
            if (!create) {
                throw new NoSuchFileException(path + " does not exist");
            }
            if (requestedSize == 0) {
                throw new NoSuchFileException(path + " does not exist and no size was given to create it");
            }
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                raf.setLength(requestedSize); // ftruncate: a sparse file
            }
        } else if (!Files.isRegularFile(path)) {
            throw new IOException(path + " is not a regular file");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long fileSize = ch.size();
            long usable = fileSize - fileSize % blockSize;
            if (requestedSize > usable) {
                throw new IOException(path + " holds " + fileSize + " bytes, less than the requested " + requestedSize);
            }
            if (usable == 0) {
                throw new IOException(path + " is smaller than one " + blockSize + "-byte block");
            }
            return new FileStore(path, ch, blockSize, usable);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public String toString() {
        return "FileStore(" + path + ", " + sizeBytes() + " bytes)";
    }
}
