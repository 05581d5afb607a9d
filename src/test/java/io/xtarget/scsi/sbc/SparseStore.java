package io.xtarget.scsi.sbc;

import io.xtarget.backend.Store;
import java.nio.ByteBuffer;

/** A huge store that holds nothing: reads return zeros, writes and unmaps are dropped. */
final class SparseStore implements Store {
    private final int blockSize;
    private final long size;

    SparseStore(int blockSize, long size) {
        this.blockSize = blockSize;
        this.size = size;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long sizeBytes() {
        return size;
    }

    @Override
    public String kind() {
        return "sparse";
    }

    @Override
    public void read(long offset, ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put((byte) 0);
        }
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) {
        src.position(src.limit());
    }

    @Override
    public void flush() {}

    @Override
    public void unmap(long offset, long length) {}

    @Override
    public void close() {}
}
