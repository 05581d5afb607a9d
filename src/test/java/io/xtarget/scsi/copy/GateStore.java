package io.xtarget.scsi.copy;

import io.xtarget.backend.Store;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/** A heap store whose first read waits on a latch, to hold a copy mid-flight without timing. */
final class GateStore implements Store {
    final HeapStore heap;
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    GateStore(int blockSize, long blocks) {
        heap = new HeapStore(blockSize, blocks);
    }

    @Override
    public int blockSize() {
        return heap.blockSize();
    }

    @Override
    public long sizeBytes() {
        return heap.sizeBytes();
    }

    @Override
    public String kind() {
        return "gate";
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        entered.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        heap.read(offset, dst);
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
        heap.write(offset, src, fua);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
