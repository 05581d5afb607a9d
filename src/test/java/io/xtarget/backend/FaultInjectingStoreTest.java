package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** With no fault armed the wrapper is a transparent store; armed, it fails where told. */
class FaultInjectingStoreTest extends StoreContractTest {
    @Override
    protected Store create(long size) throws Exception {
        return new FaultInjectingStore(new RamStore(BS, size));
    }

    @Override
    protected boolean hasCopyFastPath() {
        return true;
    }

    private static FaultInjectingStore ram() throws IOException {
        return new FaultInjectingStore(new RamStore(512, 1 << 20));
    }

    @Test
    void readsFailAtOrBeyondTheOffset() throws Exception {
        try (FaultInjectingStore s = ram()) {
            s.failReadsFrom(4096);
            s.read(0, ByteBuffer.allocate(4096)); // ends just before the faulty byte
            assertThatThrownBy(() -> s.read(3584, ByteBuffer.allocate(1024)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("injected read failure at offset 4096");
            assertThatThrownBy(() -> s.read(8192, ByteBuffer.allocate(512))).hasMessage("injected read failure at offset 8192");
            s.write(8192, ByteBuffer.allocate(512), false); // writes unaffected
            s.clear();
            s.read(8192, ByteBuffer.allocate(512));
        }
    }

    @Test
    void writesFailAfterABudgetOfBytes() throws Exception {
        try (FaultInjectingStore s = ram()) {
            s.write(0, ByteBuffer.allocate(512), false);
            s.failWritesAfter(1024);
            s.write(0, ByteBuffer.allocate(1024), false);
            assertThatThrownBy(() -> s.write(0, ByteBuffer.allocate(512), false))
                    .hasMessage("injected write failure after 1536 bytes");
            assertThatThrownBy(() -> s.unmap(0, 512)).isInstanceOf(IOException.class);
            assertThat(s.bytesWritten()).isEqualTo(1536);
        }
    }

    @Test
    void writesFailFromOffsetWithoutTouchingTheStore() throws Exception {
        try (FaultInjectingStore s = ram()) {
            s.failWritesFrom(1024);
            ByteBuffer data = ByteBuffer.wrap(new byte[2048]).put(0, (byte) 7);
            assertThatThrownBy(() -> s.write(0, data, false)).hasMessage("injected write failure at offset 1024");
            assertThat(data.position()).isZero();
            assertThat(read(s, 0, 1)).containsExactly(0);
        }
    }

    @Test
    void fastPathCopiesUpToTheFaultThenFails() throws Exception {
        try (FaultInjectingStore src = ram(); FaultInjectingStore dst = ram()) {
            write(src, 0, pattern(1, 8192));
            src.failReadsFrom(5000);
            assertThat(src.copyTo(0, dst, 0, 8192)).isEqualTo(5000);
            assertThat(read(dst, 0, 5000)).isEqualTo(java.util.Arrays.copyOf(pattern(1, 8192), 5000));
            assertThatThrownBy(() -> src.copyTo(5000, dst, 5000, 3192)).hasMessage("injected read failure at offset 5000");
            src.clear();
            dst.failWritesAfter(100);
            assertThat(src.copyTo(0, dst, 0, 8192)).isEqualTo(100);
            assertThatThrownBy(() -> src.copyTo(100, dst, 100, 8092)).hasMessage("injected write failure after 5100 bytes");
        }
    }

    @Test
    void faultyDestinationWrappingAnotherKindHasNoFastPath() throws Exception {
        try (RamStore src = new RamStore(512, 4096); FaultInjectingStore dst = ram()) {
            assertThat(src.copyTo(0, dst, 0, 4096)).isEqualTo(-1);
        }
    }
}
