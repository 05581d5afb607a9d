package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.Store;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.pdu.DataIn;
import io.xtarget.iscsi.pdu.Pdu;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * READ and WRITE on a store that starts I/O ({@link StartingStore}, as librbd's aio): the
 * connection starts them on its own thread and answers from the store's completion thread, no
 * worker involved; a start the store declines runs on a worker instead; an I/O error becomes
 * MEDIUM ERROR; ABORT TASK and LOGICAL UNIT RESET of a command whose I/O is in flight end it
 * cleanly once the store completes it.
 */
@Timeout(60)
class StartedIoE2eTest extends StartingStoreE2e {

    @Override
    StartingStore starting(Store ram) {
        return new StartingStore(ram, 5);
    }

    @Test
    void manyWritesAndReadsInFlightRoundTrip() throws Exception {
        int commands = 96;
        int blocks = 8;
        byte[] data = Scsi.random(commands * blocks * BS, 5);
        try (IscsiSession s = open("started-roundtrip")) {
            List<CompletableFuture<CommandResult>> writes = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                writes.add(s.submit(0, Scsi.write10(1000 + (long) i * blocks, blocks),
                        ByteBuffer.wrap(data, i * blocks * BS, blocks * BS), 0));
            }
            for (CompletableFuture<CommandResult> w : writes) {
                assertThat(w.get(20, TimeUnit.SECONDS).good()).isTrue();
            }
            List<CompletableFuture<CommandResult>> reads = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                reads.add(s.submit(0, Scsi.read10(1000 + (long) i * blocks, blocks), null, blocks * BS));
            }
            for (int i = 0; i < commands; i++) {
                CommandResult r = reads.get(i).get(20, TimeUnit.SECONDS);
                assertThat(r.good()).isTrue();
                assertThat(r.dataBytes()).as("read %d", i)
                        .isEqualTo(java.util.Arrays.copyOfRange(data, i * blocks * BS, (i + 1) * blocks * BS));
            }
        }
        assertThat(store.started.get()).as("started by the store").isGreaterThan(100);
        assertThat(store.declined.get()).as("declined, run by workers").isGreaterThan(10);
        assertThat(store.blockingWrites.get()).as("declined writes ran the blocking way").isGreaterThan(0);
        assertThat(store.startingThreads).as("started on connection threads only")
                .allMatch(n -> n.startsWith("iscsi-"));
    }

    @Test
    void largeReadsAreSentFromTheConnectionsThread() throws Exception {
        int blocks = 2048; // 1 MiB: above CommandRunner.LARGE_DATA_IN, handed back to the connection
        byte[] data = Scsi.random(blocks * BS, 11);
        try (IscsiSession s = open("started-large")) {
            assertThat(Scsi.run(s, 0, Scsi.write10(4096, blocks), ByteBuffer.wrap(data), 0).good()).isTrue();
            List<CompletableFuture<CommandResult>> reads = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(s.submit(0, Scsi.read10(4096, blocks), null, blocks * BS));
            }
            for (CompletableFuture<CommandResult> r : reads) {
                CommandResult got = r.get(20, TimeUnit.SECONDS);
                assertThat(got.good()).isTrue();
                assertThat(got.dataBytes()).isEqualTo(data);
            }
        }
        assertThat(store.started.get()).isGreaterThan(4);
    }

    @Test
    void anIoErrorOfAStartedCommandIsMediumError() throws Exception {
        try (IscsiSession s = open("started-error")) {
            store.failNext.set(1);
            CommandResult r = Scsi.run(s, 0, Scsi.read10(0, 1), null, BS);
            assertThat(r.status()).isEqualTo(2);
            assertThat(Scsi.sense(r).senseKey()).as("MEDIUM ERROR").isEqualTo(3);
            assertThat(Scsi.run(s, 0, Scsi.read10(0, 1), null, BS).good()).as("the next read").isTrue();
        }
    }

    @Test
    void abortTaskOfACommandWhoseIoIsInFlight() throws Exception {
        try (IscsiSession s = open("started-abort")) {
            store.shut();
            byte[] data = Scsi.random(8 * BS, 9);
            CompletableFuture<CommandResult> w = s.submit(0, Scsi.write10(64, 8), ByteBuffer.wrap(data), 0);
            assertThat(store.reachedGate.await(10, TimeUnit.SECONDS)).as("write reached the store").isTrue();
            CompletableFuture<Integer> tmf = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.abortTask(s.taskTagOf(w));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            Thread.sleep(200);
            store.open(); // the store completes the write; the task then ends as aborted
            assertThat(tmf.get(10, TimeUnit.SECONDS)).as("ABORT TASK response").isEqualTo(0);
            assertThat(w).failsWithin(10, TimeUnit.SECONDS);
            assertThat(Scsi.run(s, 0, Scsi.read10(64, 8), null, 8 * BS).good()).as("the session goes on").isTrue();
        }
    }

    @Test
    void lunResetWithStartedIoInFlight() throws Exception {
        try (IscsiSession s = open("started-reset")) {
            store.shut();
            List<CompletableFuture<CommandResult>> inFlight = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                inFlight.add(s.submit(0, Scsi.read10(i * 8L, 8), null, 8 * BS));
            }
            assertThat(store.reachedGate.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<Integer> reset = CompletableFuture.supplyAsync(() -> {
                try {
                    return s.lunReset(0);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            Thread.sleep(200);
            store.open();
            assertThat(reset.get(10, TimeUnit.SECONDS)).as("LOGICAL UNIT RESET response").isEqualTo(0);
            for (CompletableFuture<CommandResult> f : inFlight) { // each GOOD or ended by the reset
                f.handle((r, e) -> r != null ? r.good() : e).get(10, TimeUnit.SECONDS);
            }
            assertThat(Scsi.run(s, 0, Scsi.read10(0, 8), null, 8 * BS).good()).as("the LU serves on").isTrue();
        }
    }
    /**
     * A started write that runs out of space or whose durable write fails to flush is answered as
     * on the blocking path (DATA PROTECT 27h/07h; MEDIUM ERROR 0Ch/00h) and updates the LU the same
     * way: the out-of-space episode ends with the next write; after a failed flush the LU refuses writes.
     */
    @Test
    void outOfSpaceAndAFailedFlushOfAStartedWrite() throws Exception {
        try (IscsiSession s = open("started-space")) {
            byte[] data = Scsi.random(8 * BS, 4);
            store.failWith.set(new io.xtarget.backend.OutOfSpaceException("injected ENOSPC", null));
            CommandResult r = Scsi.run(s, 0, Scsi.write10(0, 8), ByteBuffer.wrap(data), 0);
            assertThat(r.status()).isEqualTo(2);
            io.xtarget.initiator.SenseData sense = Scsi.sense(r);
            assertThat(List.of(sense.senseKey(), sense.asc(), sense.ascq())).as("DATA PROTECT / SPACE ALLOCATION FAILED")
                    .isEqualTo(List.of(7, 0x27, 0x07));
            assertThat(server.server().units().getFirst().provisioning().outOfSpace()).isTrue();
            int started = store.started.get();
            assertThat(Scsi.run(s, 0, Scsi.write10(0, 8), ByteBuffer.wrap(data), 0).good()).isTrue();
            assertThat(server.server().units().getFirst().provisioning().outOfSpace()).as("episode over").isFalse();

            byte[] fua = Scsi.write10(16, 8);
            fua[1] = 0x08; // FUA
            store.failWith.set(new io.xtarget.backend.FlushFailedException("injected flush failure", null));
            r = Scsi.run(s, 0, fua, ByteBuffer.wrap(data), 0);
            assertThat(r.status()).isEqualTo(2);
            sense = Scsi.sense(r);
            assertThat(List.of(sense.senseKey(), sense.asc(), sense.ascq())).as("MEDIUM ERROR / WRITE ERROR")
                    .isEqualTo(List.of(3, 0x0C, 0x00));
            assertThat(store.started.get()).as("both ran started").isGreaterThan(started);
            r = Scsi.run(s, 0, Scsi.write10(32, 8), ByteBuffer.wrap(data), 0);
            assertThat(r.good()).as("a failed LU refuses writes").isFalse();
        }
    }
    /**
     * SAM-5 8.6: an ORDERED WRITE behind a started READ whose I/O is in flight reaches the store
     * only once that READ ended, and the SIMPLE READ behind it only after the WRITE: the first
     * READ sees the old data, the last one the new, answered in that order.
     */
    @Test
    void anOrderedWriteWaitsForAStartedReadInFlight() throws Exception {
        try (RawSession raw = Wire.login(server, "iqn.2026-11.io.xtarget:started-ordered",
                java.util.Map.of("ImmediateData", "Yes"))) {
            store.shut();
            raw.send(Wire.command(raw, false, 1, Scsi.read10(0, 8), true, false, 8 * BS, true, null));
            assertThat(store.reachedGate.await(10, TimeUnit.SECONDS)).isTrue();
            byte[] data = Scsi.random(8 * BS, 21);
            raw.send(new ScsiCommandPdu(false, true, false, true, 2, 0, 2, 8 * BS, raw.takeCmdSn(), raw.expStatSn(),
                    java.util.Arrays.copyOf(Scsi.write10(0, 8), 16), ByteBuffer.wrap(data))); // ORDERED
            raw.send(Wire.command(raw, false, 3, Scsi.read10(0, 8), true, false, 8 * BS, true, null));
            List<Pdu> seen = new ArrayList<>(Wire.ping(raw, 9)); // both are dispatched by now
            assertThat(store.started.get()).as("only the first READ reached the store").isEqualTo(1);
            store.open();
            java.util.Map<Integer, java.io.ByteArrayOutputStream> in = new java.util.HashMap<>();
            List<Integer> ended = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ended.size() < 3 && System.nanoTime() < deadline) {
                if (seen.isEmpty()) {
                    Pdu p = raw.read(java.time.Duration.ofSeconds(10));
                    if (p != null) {
                        seen.add(p);
                    }
                    continue;
                }
                Pdu p = seen.removeFirst();
                if (p instanceof DataIn d) {
                    byte[] b = new byte[d.data().remaining()];
                    d.data().duplicate().get(b);
                    in.computeIfAbsent(d.itt(), k -> new java.io.ByteArrayOutputStream()).writeBytes(b);
                    if (d.statusPresent()) {
                        assertThat(d.status()).isZero();
                        ended.add(d.itt());
                    }
                } else if (p instanceof ScsiResponsePdu r) {
                    assertThat(r.status()).isZero();
                    ended.add(r.itt());
                }
            }
            assertThat(ended).as("answered in order").containsExactly(1, 2, 3);
            assertThat(in.get(1).toByteArray()).as("the first READ: before the WRITE").isEqualTo(new byte[8 * BS]);
            assertThat(in.get(3).toByteArray()).as("the last READ: after it").isEqualTo(data);
        }
    }
}
