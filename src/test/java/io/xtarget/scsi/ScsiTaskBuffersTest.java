package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.spc.CoreFixture;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Scattered data-out and data-in placed in the initiator's own buffers ({@link ScsiTask}). */
class ScsiTaskBuffersTest {
    private final CoreFixture f = new CoreFixture();

    private ScsiTask task() {
        return new ScsiTask(f.core, f.a, f.lunMap, 0, Cdb.of(0x2A, 0, 0, 0, 0, 0, 0, 0, 2, 0), 1, null);
    }

    static ByteBuffer filled(int n, int from) {
        ByteBuffer b = ByteBuffer.allocateDirect(n);
        for (int i = 0; i < n; i++) {
            b.put((byte) (from + i));
        }
        return b.flip();
    }

    @Test
    void scatteredDataOutIsHandedOverInPlaceAndGatheredOnlyOnDemand() throws Exception {
        ScsiTask t = task();
        ByteBuffer a = filled(700, 0);
        ByteBuffer b = filled(400, 700);
        t.attachDataOut(new ByteBuffer[] {a, b});
        assertThat(t.dataOutLength()).isEqualTo(1100);
        ByteBuffer[] blocks = t.dataOutBlockSegments(4, 512); // only 2 whole blocks arrived
        assertThat(blocks).extracting(ByteBuffer::remaining).containsExactly(700, 324);
        assertThat(blocks[1].get(0)).isEqualTo((byte) 700);
        assertThat(t.requestedDataOut()).isEqualTo(2048);
        assertThat(t.gatheredBytes()).isZero();
        ByteBuffer one = t.dataOut(1000); // a handler that wants one buffer gets a gathered copy
        assertThat(t.gatheredBytes()).isEqualTo(1100);
        for (int i = 0; i < 1000; i++) {
            assertThat(one.get(i)).isEqualTo((byte) i);
        }
        t.release();
    }

    @Test
    void dataInIsPlacedOnlyWhenTheOfferedBuffersHoldAllOfIt() {
        ScsiTask t = task();
        assertThat(t.placeDataIn(512)).isNull(); // nothing offered: the handler's own buffer
        ByteBuffer guest = ByteBuffer.allocateDirect(1024);
        t.offerDataIn(n -> n > guest.capacity() ? null
                : new ByteBuffer[] {guest.slice(0, n / 2), guest.slice(n / 2, n - n / 2)});
        assertThat(t.placeDataIn(2048)).isNull();
        assertThat(t.placedDataIn()).isZero();
        assertThat(t.placeDataIn(1024)).hasSize(2);
        assertThat(t.placedDataIn()).isEqualTo(1024);
    }
}
