package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.rbd.CephTestCluster;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three gateway processes of one RBD image. Gateway 3 hangs (SIGSTOP); it holds nothing (not the
 * lock, not the home). A host writes through gateway 1 (the home and the lock's holder, healthy)
 * and one write comes through gateway 2, so the lock goes to gateway 2 and back.
 *
 * <p>Expected: every write GOOD within a few seconds, gateway 1 not fenced and still the home
 * (active/optimized): nothing is wrong with gateways 1 and 2.
 *
 * <p>Found (4 of 4 runs, fixed): gateway 1's write taking the lock back stalled ~11 s inside
 * rbd_lock_acquire (librbd waits for the paused gateway 3's header watch) while holding
 * RbdLockHandoff's {@code asking} monitor; gateway 1's ALUA poll, under the same monitor, was
 * blocked with it, so the home lease ran out and the healthy gateway 1 turned
 * active/non-optimized. Now the poll never waits for a write asking for the lock, and the request
 * runs beside the wait for the lock, so one stall of librbd's own 5 s notify timeout remains.
 * Skipped without Ceph.
 */
@Timeout(240)
class GatewayHungBystanderE2eTest {
    private static final int BYTES = 4096;
    private static final String TARGET = GatewayProcesses.TARGET;

    @TempDir
    Path dir;

    private Path config(String conf, String image, int group) throws Exception {
        Path d = Files.createDirectories(dir.resolve("gw" + group));
        Path config = d.resolve("xtarget.json");
        StringBuilder peers = new StringBuilder();
        for (int p = 1; p <= 3; p++) {
            if (p != group) {
                peers.append(peers.isEmpty() ? "" : ", ").append("{\"group\": ").append(p)
                        .append(", \"relativePorts\": [").append(p).append("]}");
            }
        }
        Files.writeString(config, """
                {"backstores": [{"name": "vm", "type": "rbd", "pool": "rbd", "image": "%s", "size": "64M",
                    "cephConf": "%s", "naa": "6001405f0e1d2c3b4a5968778695a4b3", "serial": "fence-e2e-1"}],
                 "targets": [{"name": "%s", "portals": ["127.0.0.1:0"], "luns": [{"lun": 0, "backstore": "vm"}]}],
                 "gateway": {"group": %d, "firstRelativePort": %d, "peers": [%s]}}
                """.formatted(image, conf, TARGET, group, group, peers));
        return config;
    }

    private static long slowMs(String sample) {
        return Long.parseLong(sample.split(" ")[3]);
    }

    @Test
    void aHungThirdGatewayNeitherFencesNorDemotesTheHealthyHolder() throws Exception {
        String conf = CephTestCluster.conf().toString();
        String image = CephTestCluster.imageName("bystander-e2e");
        try (ServeProcess one = ServeProcess.start(config(conf, image, 1), "--create=vm");
                ServeProcess two = ServeProcess.start(config(conf, image, 2));
                ServeProcess three = ServeProcess.start(config(conf, image, 3));
                IscsiSession s1 = GatewayProcesses.open(one, "iqn.2026-11.org.example:host");
                IscsiSession s2 = GatewayProcesses.open(two, "iqn.2026-11.org.example:host2")) {
            assertThat(GatewayProcesses.state(s1, 1)).as("gateway 1 optimized").isZero();
            Scsi.write(s1, 0, 0, Scsi.random(BYTES, 1), 512); // gateway 1 holds the lock
            three.pause();
            long paused = System.nanoTime();
            List<String> states = new CopyOnWriteArrayList<>();
            AtomicBoolean stopSampling = new AtomicBoolean();
            IscsiSession s1b = GatewayProcesses.open(one, "iqn.2026-11.org.example:host3");
            Thread sampler = Thread.ofPlatform().start(() -> {
                int last = -1;
                while (!stopSampling.get()) {
                    try {
                        int st = GatewayProcesses.state(s1b, 1);
                        if (st != last) {
                            states.add((System.nanoTime() - paused) / 1_000_000 + ":" + st);
                            last = st;
                        }
                        Thread.sleep(50);
                    } catch (Exception e) {
                        states.add(e.toString());
                        return;
                    }
                }
            });
            List<String> outcomes1 = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = Thread.ofPlatform().start(() -> {
                int i = 0;
                while (!stop.get()) {
                    try {
                        long w0 = System.nanoTime();
                        CommandResult r = s1.execute(0, Scsi.write10(64 + 8 * (i % 16), BYTES / 512),
                                ByteBuffer.wrap(Scsi.random(BYTES, 100 + i)), 0);
                        outcomes1.add(GatewayProcesses.outcome(r));
                        long ms = (System.nanoTime() - w0) / 1_000_000;
                        if (ms > 500) {
                            states.add("slow gw1 write " + ms + " ms ending at " + (System.nanoTime() - paused) / 1_000_000);
                        }
                        i++;
                    } catch (Exception e) {
                        outcomes1.add(e.toString());
                        return;
                    }
                }
            });
            Thread.sleep(300);
            long t0 = System.nanoTime();
            CommandResult r2 = s2.execute(0, Scsi.write10(0, BYTES / 512), ByteBuffer.wrap(Scsi.random(BYTES, 2)), 0);
            System.out.printf("bystander: the write through gateway 2: %s in %.0f ms%n", GatewayProcesses.outcome(r2),
                    (System.nanoTime() - t0) / 1e6);
            Thread.sleep(3000);
            if (System.getenv("XT_ADV_JSTACK") != null) {
                Process js = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                        Long.toString(one.pid())).redirectErrorStream(true).start();
                Files.write(Path.of(System.getenv("XT_ADV_JSTACK")), js.getInputStream().readAllBytes());
                js.waitFor();
            }
            stop.set(true);
            writer.join(60_000);
            states.add("writer done at " + (System.nanoTime() - paused) / 1_000_000);
            List<String> bad1 = outcomes1.stream().filter(o -> !o.equals("GOOD")).distinct().toList();
            System.out.printf("bystander: through gateway 1: %d writes, not GOOD: %s%n", outcomes1.size(), bad1);
            String logs = one.log() + two.log();
            one.log().lines().filter(l -> !l.contains("INFO") || l.contains("home") || l.contains("lock"))
                    .forEach(l -> System.out.println("bystander: gw1: " + l));
            two.log().lines().filter(l -> !l.contains("INFO") || l.contains("home") || l.contains("lock"))
                    .forEach(l -> System.out.println("bystander: gw2: " + l));
            System.out.println("bystander: gw1 states (ms since the pause: state of group 1 as gw1 reports it): " + states);
            stopSampling.set(true);
            sampler.join(10_000);
            s1b.close();
            three.resume();
            assertThat(GatewayProcesses.outcome(r2)).as("the write through gateway 2").isEqualTo("GOOD");
            assertThat(bad1).as("writes through the healthy gateway 1 not answered GOOD").isEmpty();
            assertThat(logs).as("the healthy gateway 1's lock was broken (it was blocklisted)")
                    .doesNotContain("broke its lock");
            assertThat(GatewayProcesses.state(s1, 1)).as("the healthy gateway 1 lost the home (active/optimized);"
                    + " timeline " + states).isZero();
            // librbd itself waits up to its fixed 5 s notify timeout for the hung gateway's header watch
            // (acquiring the lock first flushes the notify of the last release): one such stall is
            // librbd's, not this gateway's; the home and the lock must survive it
            assertThat(states.stream().filter(x -> x.startsWith("slow")).filter(x -> slowMs(x) > 7000).toList())
                    .as("writes through the healthy gateway 1 slower than 7 s").isEmpty();
        }
    }
}
