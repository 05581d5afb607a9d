package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.Store;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.scsi.LogicalUnit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Started I/O completing out of order on several store threads, ended by ABORT TASK, ABORT TASK
 * SET, LOGICAL UNIT RESET or logout while it is in flight. Every block
 * written carries its own LBA, so a read buffer reused under a running read, or a write buffer
 * reused before the store wrote it, shows as a block stamped with another LBA. Afterwards nothing
 * is left in flight or in the LU's task set, and the data is whole.
 */
@Timeout(120)
class StartedIoChaosTest extends StartingStoreE2e {
    static final int REGION = 4096; // blocks
    static final int ROUNDS = 40;

    @Override
    StartingStore starting(Store ram) {
        return new StartingStore(ram, 7, 3, true);
    }

    /** Blocks [lba, lba+blocks), each stamped with its LBA and {@code gen}. */
    static byte[] stamped(long lba, int blocks, int gen) {
        ByteBuffer b = ByteBuffer.allocate(blocks * BS);
        for (int i = 0; i < blocks; i++) {
            for (int j = 0; j < BS / 8; j++) {
                b.putLong(((lba + i) << 16) | (j << 8) | (gen & 0xFF));
            }
        }
        return b.array();
    }

    /** The first block of {@code data} (read from {@code lba}) not stamped with its own LBA throughout, or -1. */
    static long foreignBlock(long lba, byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data);
        for (int i = 0; i < data.length / BS; i++) {
            for (int j = 0; j < BS / 8; j++) { // the generation may differ: a read may overlap a write
                long v = b.getLong(i * BS + j * 8);
                if (v >>> 8 != (((lba + i) << 8) | j)) {
                    return lba + i;
                }
            }
        }
        return -1;
    }

    @Test
    void inFlightStartedIoEndedEveryWayLeavesNothingBehindAndNoBufferReused() throws Exception {
        try (IscsiSession s = open("chaos-fill")) {
            for (long lba = 0; lba < REGION; lba += 256) {
                assertThat(Scsi.run(s, 0, Scsi.write10(lba, 256), ByteBuffer.wrap(stamped(lba, 256, 0)), 0).good())
                        .isTrue();
            }
        }
        Random rnd = new Random(7);
        int goodReads = 0;
        for (int round = 0; round < ROUNDS; round++) {
            IscsiSession s = open("chaos-" + round);
            List<CompletableFuture<CommandResult>> reads = new ArrayList<>();
            List<Long> readAt = new ArrayList<>();
            List<CompletableFuture<CommandResult>> all = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int blocks = 1 + rnd.nextInt(64);
                long lba = rnd.nextInt(REGION - blocks);
                if (rnd.nextBoolean()) {
                    CompletableFuture<CommandResult> f = s.submit(0, Scsi.read10(lba, blocks), null, blocks * BS);
                    reads.add(f);
                    readAt.add(lba);
                    all.add(f);
                } else {
                    all.add(s.submit(0, Scsi.write10(lba, blocks),
                            ByteBuffer.wrap(stamped(lba, blocks, round + 1)), 0));
                }
            }
            switch (round % 5) {
                case 0 -> s.abortTaskSet(0);
                case 1 -> s.lunReset(0);
                case 2 -> s.abortTask(s.taskTagOf(all.get(rnd.nextInt(all.size()))));
                default -> s.close(); // logout with commands in flight
            }
            for (int i = 0; i < reads.size(); i++) {
                CommandResult r = reads.get(i).handle((x, e) -> x).get(20, TimeUnit.SECONDS);
                if (r != null && r.good()) {
                    goodReads++;
                    assertThat(foreignBlock(readAt.get(i), r.dataBytes())).as("round %d read %d", round, i)
                            .isEqualTo(-1);
                }
            }
            for (CompletableFuture<CommandResult> f : all) {
                f.handle((x, e) -> x).get(20, TimeUnit.SECONDS);
            }
            s.close();
        }
        LogicalUnit lu = server.server().units().getFirst();
        for (int i = 0; i < 200 && (store.inFlight.get() > 0 || lu.tasks().size() > 0); i++) {
            Thread.sleep(50);
        }
        assertThat(store.inFlight.get()).as("started I/O still in flight").isZero();
        assertThat(lu.tasks().size()).as("tasks left in the LU's task set").isZero();
        assertThat(store.sourceChanged.get()).as("write buffers changed before the store wrote them").isZero();
        assertThat(store.started.get()).as("started by the store").isGreaterThan(100);
        System.out.println("good reads checked: " + goodReads + ", started: " + store.started.get());
        try (IscsiSession s = open("chaos-check")) {
            for (long lba = 0; lba < REGION; lba += 256) {
                CommandResult r = Scsi.run(s, 0, Scsi.read10(lba, 256), null, 256 * BS);
                assertThat(r.good()).isTrue();
                assertThat(foreignBlock(lba, r.dataBytes())).as("blocks from %d", lba).isEqualTo(-1);
            }
        }
    }
}
