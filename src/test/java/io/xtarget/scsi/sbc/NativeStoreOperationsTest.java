package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.cdb16;
import static io.xtarget.scsi.sbc.SbcRig.data;
import static io.xtarget.scsi.sbc.SbcRig.filled;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.Store;
import io.xtarget.backend.StoreUnavailableException;
import io.xtarget.scsi.Cdb;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LuHealth;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * WRITE SAME and COMPARE AND WRITE reach a store's own operations ({@link Store#writeSame},
 * {@link Store#compareAndWrite}) when it has them, as an RBD store does, and the core's own
 * implementation stays for the rest; an unreachable store gives NOT READY without failing the LU.
 */
class NativeStoreOperationsTest {
    /**
     * A store with native WRITE SAME and COMPARE AND WRITE that records their calls: 1 GiB, of
     * which the first 4 MiB are kept on the heap (the rest reads as zeros, writes there are dropped).
     */
    static final class NativeStore implements Store {
        static final int KEPT = 4 << 20;
        final HeapStore heap;
        final List<long[]> writeSames = new ArrayList<>();
        final List<long[]> compares = new ArrayList<>();
        boolean compareNatively = true;
        boolean unavailable;

        NativeStore() {
            heap = new HeapStore(512, KEPT / 512);
        }

        @Override
        public int blockSize() {
            return 512;
        }

        @Override
        public long sizeBytes() {
            return 1L << 30;
        }

        @Override
        public String kind() {
            return "native";
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            if (unavailable) {
                throw new StoreUnavailableException("cluster gone");
            }
            while (dst.hasRemaining()) {
                dst.put(offset < KEPT ? heap.bytes()[(int) offset] : 0);
                offset++;
            }
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) {
            while (src.hasRemaining()) {
                byte b = src.get();
                if (offset < KEPT) {
                    heap.bytes()[(int) offset] = b;
                }
                offset++;
            }
        }

        @Override
        public void flush() throws IOException {
            if (unavailable) {
                throw new StoreUnavailableException("cluster gone");
            }
        }

        @Override
        public boolean writeSame(long offset, long length, ByteBuffer block, boolean fua) {
            writeSames.add(new long[] {offset, length, block.remaining(), fua ? 1 : 0});
            byte[] b = new byte[block.remaining()];
            block.get(block.position(), b);
            for (long at = offset; at < offset + length && at < KEPT; at += b.length) {
                System.arraycopy(b, 0, heap.bytes(), (int) at, b.length);
            }
            return true;
        }

        @Override
        public long compareAndWrite(long offset, ByteBuffer verify, ByteBuffer data, boolean fua) {
            if (!compareNatively) {
                return NO_COMPARE_AND_WRITE;
            }
            compares.add(new long[] {offset, data.remaining(), fua ? 1 : 0});
            int n = data.remaining();
            ByteBuffer stored = ByteBuffer.wrap(heap.bytes(), (int) offset, n);
            int at = stored.mismatch(verify.duplicate());
            if (at >= 0) {
                return at;
            }
            data.get(data.position(), heap.bytes(), (int) offset, n);
            return COMPARE_MATCHED;
        }

        @Override
        public void close() {}
    }

    final NativeStore store = new NativeStore();
    final LogicalUnit lu = new LogicalUnit("n", store, naa(), "s1", false);
    final ScsiCore core = new ScsiCore(OpcodeTable.builder().addAll(new SbcCommandSet()).build(), List.of());
    final LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
    final Nexus nexus = IscsiPorts.nexus("iqn.2026-01.test:init", 1,
            IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260"));
    long tag;

    static byte[] naa() {
        byte[] n = new byte[16];
        n[0] = 0x60;
        return n;
    }

    ScsiResult run(byte[] out, int... cdb) {
        return core.execute(new ScsiTask(core, nexus, luns, 0, Cdb.of(cdb), out == null ? null : ByteBuffer.wrap(out), ++tag));
    }

    @Test
    void writeSameIsTheStoresInBoundedCalls() {
        byte[] block = filled(512, 0x5C);
        long blocks = (ProvisioningCommands.NATIVE_CHUNK_BYTES / 512) * 2 + 3; // two whole calls and a short one
        long limit = SbcLimits.maxWriteSameBlocks(512);
        assertThat(blocks).isLessThanOrEqualTo(limit);
        assertGood(run(block, cdb16(0x93, 0, 100, blocks)));
        assertThat(store.writeSames).hasSize(3);
        assertThat(store.writeSames.get(0)).containsExactly(100 * 512, ProvisioningCommands.NATIVE_CHUNK_BYTES, 512, 0);
        assertThat(store.writeSames.get(2)[1]).isEqualTo(3 * 512);
        assertThat(Arrays.copyOfRange(store.heap.bytes(), 100 * 512, 101 * 512)).isEqualTo(block);
        assertThat(Arrays.copyOfRange(store.heap.bytes(), NativeStore.KEPT - 512, NativeStore.KEPT)).isEqualTo(block);
    }

    @Test
    void writeSameWithoutDataOutReplicatesZeros() {
        Arrays.fill(store.heap.bytes(), 0, 8 * 512, (byte) 7);
        assertGood(run(null, cdb16(0x93, 0x01, 2, 4))); // NDOB
        assertThat(store.writeSames).hasSize(1);
        assertThat(Arrays.copyOfRange(store.heap.bytes(), 2 * 512, 6 * 512)).containsOnly(0);
        assertThat(store.heap.bytes()[6 * 512]).isEqualTo((byte) 7);
    }

    @Test
    void compareAndWriteIsTheStoresAndItsMismatchOffsetIsReported() {
        Arrays.fill(store.heap.bytes(), 0, 1024, (byte) 'A');
        byte[] both = new byte[2048];
        Arrays.fill(both, 0, 1024, (byte) 'A');
        Arrays.fill(both, 1024, 2048, (byte) 'B');
        assertGood(run(both, caw(0, 2, 0x08)));
        assertThat(store.compares).hasSize(1);
        assertThat(store.compares.getFirst()).containsExactly(0, 1024, 1);
        assertThat(Arrays.copyOfRange(store.heap.bytes(), 0, 1024)).containsOnly('B');
        both[700] = 'Z'; // the verify data no longer matches: 'A' != 'B' from byte 0, but the store says where
        assertSense(run(both, caw(0, 2, 0)), Sense.miscompare().withInformation(0));
        byte[] nearly = new byte[2048];
        Arrays.fill(nearly, (byte) 'B');
        nearly[700] = 'Z';
        assertSense(run(nearly, caw(0, 2, 0)), Sense.miscompare().withInformation(700));
        assertThat(Arrays.copyOfRange(store.heap.bytes(), 0, 1024)).containsOnly('B');
    }

    @Test
    void compareAndWriteFallsBackWhenTheStoreDeclines() {
        store.compareNatively = false;
        byte[] both = new byte[1024];
        Arrays.fill(both, 512, 1024, (byte) 'C');
        assertGood(run(both, caw(5, 1, 0)));
        assertThat(Arrays.copyOfRange(store.heap.bytes(), 5 * 512, 6 * 512)).containsOnly('C');
        assertThat(store.compares).isEmpty();
    }

    @Test
    void anUnreachableStoreIsNotReadyAndTheLuStaysHealthy() {
        store.unavailable = true;
        assertSense(run(null, cdb10(0x28, 0, 0, 1)), Sense.notReportableNotReady());
        assertSense(run(null, cdb10(0x35, 0, 0, 0)), Sense.notReportableNotReady()); // SYNCHRONIZE CACHE
        assertThat(lu.health().state()).isEqualTo(LuHealth.State.HEALTHY);
        store.unavailable = false;
        assertThat(data(run(null, cdb10(0x28, 0, 0, 1)))).hasSize(512);
    }

    static int[] caw(long lba, int blocks, int byte1) {
        int[] c = cdb16(0x89, byte1, lba, 0);
        c[13] = blocks;
        return c;
    }
}
