package io.xtarget.backend;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A store on a {@link FileChannel}: the shared data path of {@link FileStore} and
 * {@link BlockStore}. Every access is positional, so concurrent commands never share a file
 * position; only the {@link #copyTo} fast path moves the destination channel's position and
 * serialises on it.
 */
abstract sealed class ChannelStore implements Store permits FileStore, BlockStore {
    /** Upper bound of one {@link #copyTo} call, so the copy engine can check for aborts between calls. */
    static final long MAX_COPY_CHUNK = 64L << 20;

    protected final FileChannel channel;
    private final int blockSize;
    private final long sizeBytes;
    /** Guards the channel position, used only as the destination of transferTo. */
    private final Object positionLock = new Object();

    ChannelStore(FileChannel channel, int blockSize, long sizeBytes) {
        this.channel = channel;
        this.blockSize = blockSize;
        this.sizeBytes = sizeBytes;
    }

    @Override
    public final int blockSize() {
        return blockSize;
    }

    @Override
    public final long sizeBytes() {
        return sizeBytes;
    }

    /** Page-cache speed while the data is cached; the core watches the latency for the rest. */
    @Override
    public final Speed speed() {
        return Speed.CACHED;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        Bounds.check(offset, dst.remaining(), sizeBytes);
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                // The file shrank under us (someone truncated it): report, do not invent data.
                throw new EOFException("end of " + kind() + " store at offset " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        Bounds.check(offset, src.remaining(), sizeBytes);
        long pos = offset;
        try {
            while (src.hasRemaining()) {
                pos += channel.write(src, pos);
            }
        } catch (IOException e) {
            throw writeFailure(e, src.remaining());
        }
        if (fua) {
            // FUA (SBC-3 5.x): durable before status. force(false) = fdatasync, enough for data.
            flush();
        }
    }

    /**
     * What a failed pwrite (or copy into this store) means: out of space (ENOSPC, EDQUOT) or any
     * other I/O error. {@link FileStore} also asks its file system.
     *
     * @param bytes bytes the failed call still had to write
     */
    IOException writeFailure(IOException e, long bytes) {
        return OutOfSpaceException.classify(e);
    }

    /** fdatasync; a failure is a {@link FlushFailedException}: written data may be lost. */
    @Override
    public void flush() throws IOException {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw new FlushFailedException("fdatasync of " + this + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Channel-to-channel copy via {@link FileChannel#transferTo}, which the JDK (20+) maps to
     * copy_file_range(2) on Linux for regular files (the kernel copies, or shares extents on
     * reflink filesystems) and to sendfile(2) for block devices. To a RAM store: positional reads
     * straight into its memory ({@link RamStore#copyFrom}), one copy instead of two.
     */
    @Override
    public long copyTo(long srcOffset, Store dst, long dstOffset, long length) throws IOException {
        if (dst instanceof RamStore ram) {
            Bounds.check(srcOffset, length, sizeBytes);
            Bounds.check(dstOffset, length, ram.sizeBytes());
            return ram.copyFrom(this, srcOffset, dstOffset, Math.min(length, MAX_COPY_CHUNK));
        }
        if (!(dst instanceof ChannelStore to)) {
            return -1;
        }
        Bounds.check(srcOffset, length, sizeBytes);
        Bounds.check(dstOffset, length, to.sizeBytes);
        if (to == this && srcOffset < dstOffset + length && dstOffset < srcOffset + length) {
            return -1; // overlapping ranges of one file: let the caller pick a safe order
        }
        if (length == 0) {
            return 0;
        }
        long chunk = Math.min(length, MAX_COPY_CHUNK);
        long done;
        synchronized (to.positionLock) {
            to.channel.position(dstOffset);
            try {
                done = channel.transferTo(srcOffset, chunk, to.channel);
            } catch (IOException e) {
                throw to.writeFailure(e, chunk);
            }
        }
        if (done <= 0) {
            // transferTo returns 0 only past end of source; the source has shrunk.
            throw new EOFException("end of " + kind() + " store at offset " + srcOffset);
        }
        return done;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
