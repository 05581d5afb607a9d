package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.data;
import static io.xtarget.scsi.sbc.SbcRig.filled;
import static io.xtarget.scsi.sbc.WriteAtomicTest.writeAtomic;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.ForwardingStore;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WRITE ATOMIC(16) against concurrent commands, without timing: the store holds the first write
 * that reaches it until the test lets it go; the test waits until the other command is parked on
 * the LU's stripe locks (its thread is WAITING inside {@code LbaLocks}), checks that it has not
 * touched the store, then releases the first write and checks what each command saw.
 */
class WriteAtomicConcurrencyTest {
    private static final int BS = 512;
    private static final int BLOCKS = 16;

    private final HeapStore heap = new HeapStore(BS, 4096);
    private final GatedStore store = new GatedStore(heap);
    private final LogicalUnit lu = lu(store);
    private final ScsiCore core = new ScsiCore(OpcodeTable.builder().addAll(new SbcCommandSet()).build(), List.of());
    private final LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
    private final SbcRig forNexus = new SbcRig(BS, 1);
    private final AtomicLong tags = new AtomicLong();

    @AfterEach
    void releaseTheGate() {
        store.release.countDown();
    }

    @Test
    void aPlainWriteWaitsForTheAtomicWriteAndNeverMixesWithIt() throws Exception {
        Command atomic = start(filled(BLOCKS * BS, 0xAA), writeAtomic(0, 0, 0, BLOCKS));
        store.entered.await(10, TimeUnit.SECONDS);
        Command plain = start(filled(BLOCKS * BS, 0xBB), cdb10(0x2A, 0, 4, BLOCKS)); // overlaps LBAs 4..15
        awaitParkedOnStripeLocks(plain.thread);
        assertThat(store.writes).containsExactly(0L); // only the atomic write has reached the store
        store.release.countDown();
        assertGood(atomic.result());
        assertGood(plain.result());
        assertThat(store.writes).containsExactly(0L, 4L * BS);
        assertThat(Arrays.copyOfRange(heap.bytes(), 0, 4 * BS)).isEqualTo(filled(4 * BS, 0xAA));
        assertThat(Arrays.copyOfRange(heap.bytes(), 4 * BS, 20 * BS)).isEqualTo(filled(BLOCKS * BS, 0xBB));
    }

    @Test
    void theAtomicWriteWaitsForAPlainWriteInFlight() throws Exception {
        Command plain = start(filled(BLOCKS * BS, 0xBB), cdb10(0x2A, 0, 0, BLOCKS));
        store.entered.await(10, TimeUnit.SECONDS);
        Command atomic = start(filled(BLOCKS * BS, 0xAA), writeAtomic(0, 8, 0, BLOCKS));
        awaitParkedOnStripeLocks(atomic.thread);
        assertThat(store.writes).containsExactly(0L);
        store.release.countDown();
        assertGood(plain.result());
        assertGood(atomic.result());
        assertThat(store.writes).containsExactly(0L, 8L * BS);
        assertThat(Arrays.copyOfRange(heap.bytes(), 8 * BS, 24 * BS)).isEqualTo(filled(BLOCKS * BS, 0xAA));
    }

    @Test
    void aReadSeesAllOfTheAtomicWriteOrNoneOfIt() throws Exception {
        Command atomic = start(filled(BLOCKS * BS, 0xAA), writeAtomic(0, 0, 0, BLOCKS));
        store.entered.await(10, TimeUnit.SECONDS);
        Command read = start(null, cdb10(0x28, 0, 0, BLOCKS));
        awaitParkedOnStripeLocks(read.thread);
        store.release.countDown();
        assertGood(atomic.result());
        ScsiResult r = read.result();
        assertGood(r);
        assertThat(data(r)).isEqualTo(filled(BLOCKS * BS, 0xAA));
    }

    @Test
    void commandsOnOtherStripesAreNotHeldUp() throws Exception {
        Command atomic = start(filled(BLOCKS * BS, 0xAA), writeAtomic(0, 0, 0, BLOCKS));
        store.entered.await(10, TimeUnit.SECONDS);
        // LBA 2048 starts the next stripe (2048 blocks per stripe, LbaLocks)
        Command write = start(filled(BS, 0xCC), cdb10(0x2A, 0, 2048, 1));
        Command read = start(null, cdb10(0x28, 0, 2048, 1));
        assertGood(write.result());
        assertGood(read.result());
        assertThat(atomic.thread.isAlive()).as("the atomic write is still held in the store").isTrue();
        store.release.countDown();
        assertGood(atomic.result());
    }

    // ---- helpers ----

    /** A command running on a thread of its own. */
    private record Command(Thread thread, AtomicReference<ScsiResult> out) {
        ScsiResult result() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(thread.isAlive()).as("command still running").isFalse();
            return out.get();
        }
    }

    private Command start(byte[] dataOut, int[] cdb) {
        AtomicReference<ScsiResult> out = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> out.set(run(dataOut, cdb)));
        return new Command(t, out);
    }

    private ScsiResult run(byte[] dataOut, int[] cdb) {
        ByteBuffer d = dataOut == null ? null : ByteBuffer.wrap(dataOut);
        return core.execute(new ScsiTask(core, forNexus.nexus, luns, 0, Cdb.of(cdb), d, tags.incrementAndGet()));
    }

    /** Waits until {@code t} is parked inside {@code LbaLocks}: it is waiting for a stripe. */
    private static void awaitParkedOnStripeLocks(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (t.getState() == Thread.State.WAITING
                    && Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getClassName().endsWith(".LbaLocks"))) {
                return;
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the command never waited for the stripe locks: " + t.getState());
    }

    private static LogicalUnit lu(GatedStore store) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        return new LogicalUnit("atomic", store, naa, "sn", false);
    }

    /** Holds the first write in the store until {@link #release}; records every write's offset. */
    static final class GatedStore extends ForwardingStore {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final List<Long> writes = new CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);

        GatedStore(HeapStore inner) {
            super(inner);
        }

        @Override
        public String kind() {
            return "gated";
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            writes.add(offset);
            if (first.compareAndSet(true, false)) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            inner.write(offset, src, fua);
        }
    }
}
