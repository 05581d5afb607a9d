package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RamStoreTest extends StoreContractTest {
    @Override
    protected Store create(long size) throws Exception {
        return new RamStore(BS, size);
    }

    @Override
    protected boolean hasCopyFastPath() {
        return true;
    }

    @Test
    void memoryIsAllocatedOnlyForWrittenChunks() throws Exception {
        try (RamStore s = new RamStore(512, 1L << 30)) {
            assertThat(s.allocatedBytes()).isZero();
            s.read(0, ByteBuffer.allocate(4096));
            assertThat(s.allocatedBytes()).isZero();
            s.write((5L << 20) + 4000, ByteBuffer.allocate(200), false); // crosses into chunk 6? no: 4000+200 < 1 MiB
            assertThat(s.allocatedBytes()).isEqualTo(RamStore.CHUNK_SIZE);
            s.write((7L << 20) - 100, ByteBuffer.allocate(200), false); // straddles chunks 6 and 7
            assertThat(s.allocatedBytes()).isEqualTo(3L * RamStore.CHUNK_SIZE);
        }
    }

    @Test
    void unmapFreesWholeChunksOnly() throws Exception {
        try (RamStore s = new RamStore(512, 8L << 20)) {
            s.write(0, ByteBuffer.allocate(8 << 20), false);
            assertThat(s.allocatedBytes()).isEqualTo(8L << 20);
            s.unmap(512, (3L << 20) - 512); // chunk 0 partly, chunks 1 and 2 wholly
            assertThat(s.allocatedBytes()).isEqualTo(6L << 20);
            s.unmap(0, 8L << 20);
            assertThat(s.allocatedBytes()).isZero();
        }
    }

    @Test
    void copyOfUnwrittenSourceAllocatesNothing() throws Exception {
        try (RamStore a = new RamStore(512, 4L << 20); RamStore b = new RamStore(512, 4L << 20)) {
            assertThat(copyFully(a, 0, b, 0, 4L << 20)).isEqualTo(4L << 20);
            assertThat(b.allocatedBytes()).isZero();
        }
    }

    @Test
    void closedStoreFailsIo() throws Exception {
        RamStore s = new RamStore(512, 1 << 20);
        s.write(0, ByteBuffer.allocate(512), false);
        s.close();
        assertThat(s.allocatedBytes()).isZero();
        assertThatThrownBy(() -> s.read(0, ByteBuffer.allocate(512))).isInstanceOf(IOException.class).hasMessage("RAM store closed");
        s.close(); // idempotent
    }

    @Test
    void badGeometry() {
        assertThatThrownBy(() -> new RamStore(512, 1000)).hasMessage("RAM disk size 1000 is not a positive multiple of 512");
        assertThatThrownBy(() -> new RamStore(520, 5200)).hasMessage("block size must be 512 or 4096, not 520");
    }
}
