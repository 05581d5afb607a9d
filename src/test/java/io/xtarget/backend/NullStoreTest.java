package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class NullStoreTest extends StoreContractTest {
    @Override
    protected Store create(long size) throws Exception {
        return new NullStore(BS, size);
    }

    /** Null to null "copies" everything at once (there is nothing to move). */
    @Override
    protected boolean hasCopyFastPath() {
        return true;
    }

    @Override
    protected boolean keepsData() {
        return false;
    }

    @Test
    void kindAndGeometry() throws Exception {
        try (NullStore s = new NullStore(512, 10L << 40)) {
            assertThat(s.kind()).isEqualTo("null");
            assertThat(s.blockCount()).isEqualTo((10L << 40) / 512);
        }
        assertThatThrownBy(() -> new NullStore(1024, 1 << 20)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new NullStore(512, 1000)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new NullStore(512, 0)).isInstanceOf(IOException.class);
    }

    @Test
    void readsLongerThanTheSharedZerosAreFilledCompletely() throws Exception {
        try (NullStore s = new NullStore(512, 1L << 30)) {
            int n = 3 * NullStore.ZERO_CHUNK + 512;
            ByteBuffer dst = ByteBuffer.allocateDirect(n);
            while (dst.hasRemaining()) {
                dst.put((byte) 1);
            }
            s.read((1L << 30) - n, dst.clear());
            assertThat(dst.hasRemaining()).isFalse();
            for (int i = 0; i < n; i++) {
                assertThat(dst.get(i)).as("byte %d", i).isZero();
            }
        }
    }

    @Test
    void writesOnlyConsumeTheSource() throws Exception {
        try (NullStore s = new NullStore(512, 1 << 20)) {
            ByteBuffer src = ByteBuffer.allocate(4096).position(1024).asReadOnlyBuffer();
            s.write(512, src, true);
            assertThat(src.position()).isEqualTo(4096);
        }
    }

    @Test
    void noFastPathToStoresThatKeepData() throws Exception {
        try (NullStore n = new NullStore(512, 1 << 20); RamStore r = new RamStore(512, 1 << 20)) {
            assertThat(n.copyTo(0, r, 0, 4096)).isEqualTo(-1);
            assertThat(r.copyTo(0, n, 0, 4096)).isEqualTo(-1);
        }
    }

    @Test
    void closedStoreFailsIo() throws Exception {
        NullStore s = new NullStore(512, 1 << 20);
        s.close();
        assertThatThrownBy(() -> s.read(0, ByteBuffer.allocate(512))).isInstanceOf(IOException.class)
                .hasMessage("null store closed");
        assertThatThrownBy(() -> s.write(0, ByteBuffer.allocate(512), false)).isInstanceOf(IOException.class);
        assertThatThrownBy(s::flush).isInstanceOf(IOException.class);
        s.close(); // idempotent
    }
}
