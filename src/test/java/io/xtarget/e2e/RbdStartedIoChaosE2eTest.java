package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static io.xtarget.e2e.StartedIoChaosTest.foreignBlock;
import static io.xtarget.e2e.StartedIoChaosTest.stamped;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.backend.rbd.RbdImageSpec;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.scsi.LogicalUnit;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StartedIoChaosTest} on an RBD LU (librbd's aio, answered from its callback thread), with
 * COMPARE AND WRITE on the blocks the reads and writes hit: ABORT TASK SET, LOGICAL UNIT RESET and
 * logout while started I/O is in flight leave nothing behind, no read sees a block of another
 * LBA, and the LU serves on. Skipped without Ceph.
 */
@Timeout(180)
class RbdStartedIoChaosE2eTest {
    static final int BS = 512;
    static final int REGION = 2048;

    @TempDir
    Path dir;

    @Test
    void startedIoEndedByTaskManagementOnRbd() throws Exception {
        RbdImageSpec spec = CephTestCluster.newImage("started-chaos");
        try (E2eServer server = E2eServer.builder(dir).backstore(RbdBackstoreE2eTest.rbd("vm", spec, 64 * MIB, BS))
                .target(E2eServer.TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(0, "vm"))).start()) {
            try (IscsiSession s = open(server, "rbd-chaos-fill")) {
                for (long lba = 0; lba < REGION; lba += 256) {
                    assertThat(Scsi.run(s, 0, Scsi.write10(lba, 256), ByteBuffer.wrap(stamped(lba, 256, 0)), 0)
                            .good()).isTrue();
                }
            }
            Random rnd = new Random(11);
            int goodReads = 0;
            for (int round = 0; round < 15; round++) {
                IscsiSession s = open(server, "rbd-chaos-" + round);
                List<CompletableFuture<CommandResult>> all = new ArrayList<>();
                List<CompletableFuture<CommandResult>> reads = new ArrayList<>();
                List<Long> readAt = new ArrayList<>();
                for (int i = 0; i < 32; i++) {
                    int blocks = 1 + rnd.nextInt(64);
                    long lba = rnd.nextInt(REGION - blocks);
                    switch (rnd.nextInt(5)) {
                        case 0, 1 -> {
                            CompletableFuture<CommandResult> f = s.submit(0, Scsi.read10(lba, blocks), null,
                                    blocks * BS);
                            reads.add(f);
                            readAt.add(lba);
                            all.add(f);
                        }
                        case 2, 3 -> all.add(s.submit(0, Scsi.write10(lba, blocks),
                                ByteBuffer.wrap(stamped(lba, blocks, round + 1)), 0));
                        default -> { // COMPARE AND WRITE of one block with what is likely there: either way atomic
                            byte[] data = new byte[2 * BS];
                            System.arraycopy(stamped(lba, 1, round), 0, data, 0, BS);
                            System.arraycopy(stamped(lba, 1, round + 1), 0, data, BS, BS);
                            byte[] cdb = RbdBackstoreE2eTest.cdb16(0x89, lba, 0, 0);
                            cdb[13] = 1;
                            all.add(s.submit(0, cdb, ByteBuffer.wrap(data), 0));
                        }
                    }
                }
                switch (round % 3) {
                    case 0 -> s.abortTaskSet(0);
                    case 1 -> s.lunReset(0);
                    default -> s.close();
                }
                for (int i = 0; i < reads.size(); i++) {
                    CommandResult r = reads.get(i).handle((x, e) -> x).get(30, TimeUnit.SECONDS);
                    if (r != null && r.good()) {
                        goodReads++;
                        assertThat(foreignBlock(readAt.get(i), r.dataBytes())).as("round %d read %d", round, i)
                                .isEqualTo(-1);
                    }
                }
                for (CompletableFuture<CommandResult> f : all) {
                    f.handle((x, e) -> x).get(30, TimeUnit.SECONDS);
                }
                s.close();
            }
            LogicalUnit lu = server.server().units().getFirst();
            for (int i = 0; i < 200 && lu.tasks().size() > 0; i++) {
                Thread.sleep(50);
            }
            assertThat(lu.tasks().size()).as("tasks left in the LU's task set").isZero();
            System.out.println("RBD chaos: good reads checked: " + goodReads);
            try (IscsiSession s = open(server, "rbd-chaos-check")) {
                for (long lba = 0; lba < REGION; lba += 256) {
                    CommandResult r = Scsi.run(s, 0, Scsi.read10(lba, 256), null, 256 * BS);
                    assertThat(r.good()).isTrue();
                    assertThat(foreignBlock(lba, r.dataBytes())).as("blocks from %d", lba).isEqualTo(-1);
                }
            }
        }
    }

    static IscsiSession open(E2eServer server, String name) throws Exception {
        IscsiSession s = Scsi.open(server.url(0), Scsi.options("iqn.2026-11.io.xtarget:" + name));
        Scsi.clearUnitAttentions(s, 0);
        return s;
    }
}
