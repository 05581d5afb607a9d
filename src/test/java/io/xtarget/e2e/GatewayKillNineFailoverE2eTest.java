package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover after kill -9, with two gateway processes of one RBD image: a writer writes distinct
 * 4 KiB chunks through gateway 1 (the owner), gateway 1 is killed with SIGKILL mid-run (it keeps
 * the image's lock: its RADOS watch would time out only after 30 s), and the writer goes on
 * through gateway 2 the way a multipath host does: it retries the unanswered write there, and
 * retries what gateway 2 answers with a unit attention or NOT READY. Gateway 2 asks gateway 1 for
 * the image's lock on that write; nobody answers within 1.5 s (nor releases it 1 s later), so gateway 2 breaks gateway 1's
 * lock (blocklisting it), takes the lock and the home lease, and serves the write. Every
 * acknowledged write reads back through gateway 2 afterwards, and the time from the kill to the
 * first write gateway 2 served is printed (and must stay below the 30 s watch timeout). Skipped
 * without Ceph ({@link CephTestCluster}).
 */
@Timeout(120)
class GatewayKillNineFailoverE2eTest {
    private static final int CHUNK = 4096;
    private static final int BLOCKS = CHUNK / 512;
    private static final int BEFORE_KILL = 200; // acknowledged writes through gateway 1
    private static final int AFTER_FAILOVER = 200; // acknowledged writes through gateway 2
    private static final long RETRY_FOR_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path dir;

    @Test
    void theSecondGatewayServesTheWriterSoonAfterTheFirstIsKilled() throws Exception {
        String conf = CephTestCluster.conf().toString();
        ServeProcess[] gw = GatewayProcesses.start(dir, conf, CephTestCluster.imageName("kill9-gw"));
        Map<Long, Long> acked = new ConcurrentHashMap<>(); // chunk -> seed acknowledged there
        AtomicLong killedAt = new AtomicLong();
        AtomicLong firstServedAt = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (ServeProcess one = gw[0]; ServeProcess two = gw[1]) {
            Thread writer = Thread.ofPlatform().name("writer").start(() -> {
                try {
                    write(one, two, acked, firstServedAt);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (acked.size() < BEFORE_KILL && writer.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            killedAt.set(System.nanoTime());
            one.kill(); // mid-run: the writer has a write in flight
            writer.join(TimeUnit.SECONDS.toMillis(90));
            assertThat(failure.get()).as("writer").isNull();
            assertThat(writer.isAlive()).as("writer still running").isFalse();
            double ms = (firstServedAt.get() - killedAt.get()) / 1e6;
            System.out.printf("kill -9 failover: gateway 2 served its first write %.0f ms after gateway 1 was killed"
                    + " (%d acknowledged 4 KiB writes in all)%n", ms, acked.size());
            System.out.println("kill -9 failover: gateway 2's log:\n" + two.log());
            assertThat(firstServedAt.get()).as("gateway 2 served a write").isNotZero();
            assertThat(ms).as("failover time, ms").isLessThan(30_000);

            try (IscsiSession check = GatewayProcesses.open(two, "iqn.2026-11.org.example:check")) {
                List<Long> lost = new ArrayList<>();
                for (Map.Entry<Long, Long> e : acked.entrySet()) {
                    if (!java.util.Arrays.equals(Scsi.read(check, 0, e.getKey() * BLOCKS, CHUNK, 512),
                            Scsi.random(CHUNK, e.getValue()))) {
                        lost.add(e.getKey());
                    }
                }
                assertThat(lost).as("acknowledged chunks that do not read back").isEmpty();
                assertThat(GatewayProcesses.state(check, 2)).as("gateway 2 optimized").isZero();
            }
        }
    }

    /**
     * Chunks 0, 1, 2, ... each written once with its own seed: through gateway 1 until it dies,
     * then through gateway 2 (the unanswered chunk again first) for {@link #AFTER_FAILOVER} more.
     */
    private static void write(ServeProcess one, ServeProcess two, Map<Long, Long> acked, AtomicLong firstServedAt)
            throws IOException, InterruptedException {
        long chunk = 0;
        try (IscsiSession s = GatewayProcesses.open(one, "iqn.2026-11.org.example:host")) {
            while (true) {
                CommandResult r = s.execute(0, Scsi.write10(chunk * BLOCKS, BLOCKS),
                        ByteBuffer.wrap(Scsi.random(CHUNK, seed(chunk))), 0);
                assertThat(r.good()).as("gateway 1: %s", r).isTrue();
                acked.put(chunk, seed(chunk));
                chunk++;
            }
        } catch (IOException e) {
            // gateway 1 was killed: fail over
        }
        try (IscsiSession s = Scsi.open(two.url(GatewayProcesses.TARGET, 0),
                Scsi.options("iqn.2026-11.org.example:host"))) {
            long end = chunk + AFTER_FAILOVER;
            while (chunk < end) {
                long since = System.nanoTime();
                CommandResult r;
                do { // retry as a multipath host does: unit attentions, NOT READY (ALUA transition)
                    r = s.execute(0, Scsi.write10(chunk * BLOCKS, BLOCKS),
                            ByteBuffer.wrap(Scsi.random(CHUNK, seed(chunk))), 0);
                } while (!r.good() && retryable(r) && System.nanoTime() - since < RETRY_FOR_NANOS);
                assertThat(r.good()).as("gateway 2, chunk %d: %s", chunk, GatewayProcesses.outcome(r)).isTrue();
                firstServedAt.compareAndSet(0, System.nanoTime());
                acked.put(chunk, seed(chunk));
                chunk++;
            }
        }
    }

    private static boolean retryable(CommandResult r) {
        return r.senseData().map(d -> d.senseKey() == 6 || d.senseKey() == 2).orElse(false);
    }

    private static long seed(long chunk) {
        return chunk * 7919 + 11;
    }
}
