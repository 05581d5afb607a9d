package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.Store;
import io.xtarget.backend.StoreFencedException;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A flush refused because another gateway owns or fenced the store ({@link StoreFencedException})
 * is NOT READY 04h/0Ah and leaves the LU healthy: nothing this gateway acknowledged was lost, and
 * a fenced gateway recovers and serves again, which a failed LU could not.
 */
class FencedFlushTest {
    @Test
    void aFencedFlushDoesNotFailTheLu() throws Exception {
        HeapStore heap = new HeapStore(512, 64);
        Store store = new Store() {
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
                return "fenced";
            }

            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                heap.read(offset, dst);
            }

            @Override
            public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
                heap.write(offset, src, fua);
            }

            @Override
            public void flush() throws IOException {
                throw new StoreFencedException("flush: blocklisted", StoreFencedException.Reason.BLOCKLISTED);
            }

            @Override
            public void close() {}
        };
        LogicalUnit lu = new LogicalUnit("disk0", store, HexFormat.of().parseHex("6001405011223344556677889900aabe"),
                "SNF1", false);
        assertThatThrownBy(lu::flush).isInstanceOf(StoreFencedException.class);
        assertThat(lu.health().state()).isEqualTo(LuHealth.State.HEALTHY);
        assertThat(IoErrorSense.of(new StoreFencedException("x", StoreFencedException.Reason.LOCKED_ELSEWHERE),
                MediumAccess.NONE)).isEqualTo(Sense.asymmetricAccessStateTransition());
    }
}
