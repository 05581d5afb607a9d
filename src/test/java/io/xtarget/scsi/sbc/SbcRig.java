package io.xtarget.scsi.sbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.Store;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A ScsiCore holding only the SBC command set, one LU over a recording heap store at LUN 0. */
final class SbcRig {
    final HeapStore heap;
    final RecordingStore store;
    final LogicalUnit lu;
    final ScsiCore core;
    final LunMap luns;
    final Nexus nexus = IscsiPorts.nexus("iqn.2026-01.test:init", 1, IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260"));
    private long tag;

    SbcRig(int blockSize, long blocks) {
        this(new HeapStore(blockSize, blocks));
    }

    SbcRig(HeapStore heap) {
        this(heap, new RecordingStore(heap), heap.blockSize());
    }

    /** An LU with {@code physicalBlockSize}-byte physical blocks (e.g. 512e: 512, 4096). */
    SbcRig(int blockSize, long blocks, int physicalBlockSize) {
        this(new HeapStore(blockSize, blocks), physicalBlockSize);
    }

    private SbcRig(HeapStore heap, int physicalBlockSize) {
        this(heap, new RecordingStore(heap), physicalBlockSize);
    }

    private SbcRig(HeapStore heap, RecordingStore store, int physicalBlockSize) {
        this.heap = heap;
        this.store = store;
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        this.lu = new LogicalUnit("disk", store, naa, "serial1", false, false, physicalBlockSize);
        this.core = new ScsiCore(OpcodeTable.builder().addAll(new SbcCommandSet()).build(), List.of());
        this.luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
    }

    /** An LU over any store (e.g. a huge sparse one), without a heap behind it. */
    static SbcRig over(Store s) {
        return new SbcRig(new HeapStore(512, 1), new RecordingStore(s), s.blockSize());
    }

    int bs() {
        return lu.blockSize();
    }

    long blocks() {
        return lu.blockCount();
    }

    ScsiResult run(byte[] dataOut, int... cdb) {
        ByteBuffer out = dataOut == null ? null : ByteBuffer.wrap(dataOut);
        ScsiTask task = new ScsiTask(core, nexus, luns, 0, Cdb.of(cdb), out, ++tag);
        return core.execute(task);
    }

    ScsiResult run(int... cdb) {
        return run(null, cdb);
    }

    static byte[] data(ScsiResult r) {
        if (r.data() == null) {
            return new byte[0];
        }
        ByteBuffer d = r.data().duplicate();
        byte[] b = new byte[d.remaining()];
        d.get(b);
        return b;
    }

    static void assertGood(ScsiResult r) {
        assertThat(r.status()).as("status, sense %s", r.sense()).isEqualTo(ScsiStatus.GOOD);
        assertThat(r.sense()).isNull();
    }

    static void assertSense(ScsiResult r, Sense expected) {
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.sense()).isEqualTo(expected);
    }

    /** Fills [lba, lba+blocks) of the heap with one byte value. */
    void fill(long lba, long blocks, int value) {
        java.util.Arrays.fill(heap.bytes(), (int) (lba * bs()), (int) ((lba + blocks) * bs()), (byte) value);
    }

    static byte[] filled(int n, int value) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    // ---- CDB builders ----

    static int[] cdb10(int op, int byte1, long lba, int len) {
        return new int[] {op, byte1, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba, 0,
                len >>> 8, len, 0};
    }

    static int[] cdb12(int op, int byte1, long lba, long len) {
        return new int[] {op, byte1, (int) (lba >>> 24), (int) (lba >>> 16), (int) (lba >>> 8), (int) lba,
                (int) (len >>> 24), (int) (len >>> 16), (int) (len >>> 8), (int) len, 0, 0};
    }

    static int[] cdb16(int op, int byte1, long lba, long len) {
        int[] c = new int[16];
        c[0] = op;
        c[1] = byte1;
        for (int i = 0; i < 8; i++) {
            c[2 + i] = (int) (lba >>> (56 - 8 * i));
        }
        for (int i = 0; i < 4; i++) {
            c[10 + i] = (int) (len >>> (24 - 8 * i));
        }
        return c;
    }

    /** A store wrapper that records FUA flags, flushes and unmaps. */
    static final class RecordingStore extends io.xtarget.backend.ForwardingStore {
        final List<Boolean> fuas = new ArrayList<>();
        int flushes;
        final List<long[]> unmaps = new ArrayList<>();

        RecordingStore(Store inner) {
            super(inner);
        }

        @Override
        public String kind() {
            return "recording";
        }

        @Override
        public synchronized void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            fuas.add(fua);
            inner.write(offset, src, fua);
        }

        @Override
        public synchronized void flush() throws IOException {
            flushes++;
            inner.flush();
        }

        @Override
        public synchronized void unmap(long offset, long length) throws IOException {
            unmaps.add(new long[] {offset, length});
            inner.unmap(offset, length);
        }
    }
}
