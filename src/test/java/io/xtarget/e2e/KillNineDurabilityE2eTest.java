package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.ConfigStore;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash durability at small scale: a real {@code xtarget serve} process with a file backstore,
 * two initiators writing distinct 4 KiB chunks (FUA writes, and plain writes followed by
 * SYNCHRONIZE CACHE), the process killed with SIGKILL mid-stream, a new process started on the
 * same config: every write that was acknowledged (GOOD for the FUA write, or for the SYNCHRONIZE
 * CACHE after it) reads back, and the LU has the identity (NAA) the initiators saw before.
 *
 * <p>This is kill -9, not power loss: the kernel's page cache survives a killed process, so the
 * test proves that xtarget keeps no acknowledged data in its own memory (and wrote its config
 * back before serving), not that fdatasync reached the platters. Dropping unsynced page-cache
 * writes needs a VM or a device-mapper target (dm-log-writes, dm-flakey) and root; not done here.
 * {@link PowerLossDurabilityE2eTest} simulates power loss one level up, with a volatile cache
 * below xtarget's store interface.
 */
@Timeout(120)
class KillNineDurabilityE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:kill9";
    static final int CHUNK = 4096;
    static final int BLOCKS = CHUNK / 512;
    static final int CHUNKS_PER_WRITER = 4096; // 16 MiB each: more than the writers reach before the kill
    static final int WANTED_ACKS = 300;
    static final long MAX_WRITE_MS = 8_000;

    @TempDir
    Path dir;

    @Test
    void noAcknowledgedWriteIsLostWhenTheServerIsKilled() throws Exception {
        Path config = dir.resolve("xtarget.json");
        // no NAA yet: the server generates the identity and writes it back before it serves
        Files.writeString(config, """
                {"backstores": [{"name": "disk", "type": "file", "path": "disk.img", "size": "32M"}],
                 "targets": [{"name": "%s", "portals": ["127.0.0.1:0"], "luns": [{"lun": 0, "backstore": "disk"}]}]}
                """.formatted(TARGET));
        Map<Long, Long> acked = new ConcurrentHashMap<>(); // chunk -> seed of the data acknowledged there
        AtomicReference<String> naaSeen = new AtomicReference<>();
        List<Thread> writers = new ArrayList<>();
        try (ServeProcess first = ServeProcess.start(config)) {
            for (int i = 0; i < 2; i++) {
                int w = i;
                String url = first.url(TARGET, 0);
                writers.add(Thread.ofPlatform().name("writer-" + w)
                        .start(() -> write(url, (long) w * CHUNKS_PER_WRITER, w, acked, naaSeen)));
            }
            long deadline = System.currentTimeMillis() + MAX_WRITE_MS;
            while (acked.size() < WANTED_ACKS && System.currentTimeMillis() < deadline && writers.stream().anyMatch(Thread::isAlive)) {
                Thread.sleep(5);
            }
            first.kill(); // mid-stream: each writer has a command in flight
            for (Thread t : writers) {
                t.join();
            }
        }
        assertThat(acked).as("acknowledged writes before the kill").hasSizeGreaterThanOrEqualTo(20);
        assertThat(ConfigStore.load(config).backstore("disk").naa()).isEqualTo(naaSeen.get());

        try (ServeProcess second = ServeProcess.start(config);
                IscsiSession s = Scsi.open(second.url(TARGET, 0), Scsi.options("iqn.2026-11.io.xtarget:check"))) {
            Scsi.clearUnitAttentions(s, 0);
            assertThat(PersistenceE2eTest.identity(s, 0)[0]).isEqualTo(naaSeen.get());
            List<Long> lost = new ArrayList<>();
            for (Map.Entry<Long, Long> e : acked.entrySet()) {
                if (!java.util.Arrays.equals(Scsi.read(s, 0, e.getKey() * BLOCKS, CHUNK, 512), Scsi.random(CHUNK, e.getValue()))) {
                    lost.add(e.getKey());
                }
            }
            System.out.printf("kill -9: %d acknowledged 4 KiB writes, %d lost%n", acked.size(), lost.size());
            assertThat(lost).as("acknowledged chunks that did not survive kill -9").isEmpty();
            s.logout();
        }
    }

    /**
     * Writes chunks base, base+1, ... each once (so an unacknowledged write in flight at the kill
     * can never be confused with an acknowledged one), alternating one FUA write with four plain
     * writes acknowledged by a SYNCHRONIZE CACHE, until the server is gone.
     */
    private static void write(String url, long base, int writer, Map<Long, Long> acked, AtomicReference<String> naa) {
        try (IscsiSession s = Scsi.open(url, Scsi.options("iqn.2026-11.io.xtarget:writer" + writer))) {
            Scsi.clearUnitAttentions(s, 0);
            naa.compareAndSet(null, PersistenceE2eTest.identity(s, 0)[0]);
            long chunk = base;
            while (chunk + 4 < base + CHUNKS_PER_WRITER) {
                if (chunk % 5 == 0) {
                    long seed = seed(chunk);
                    if (s.execute(0, fua(Scsi.write10(chunk * BLOCKS, BLOCKS)), ByteBuffer.wrap(Scsi.random(CHUNK, seed)), 0).good()) {
                        acked.put(chunk, seed);
                    }
                    chunk++;
                    continue;
                }
                for (int i = 0; i < 4; i++) {
                    CommandResult r = s.execute(0, Scsi.write10((chunk + i) * BLOCKS, BLOCKS),
                            ByteBuffer.wrap(Scsi.random(CHUNK, seed(chunk + i))), 0);
                    assertThat(r.good()).as("%s", r).isTrue();
                }
                if (s.execute(0, new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}, null, 0).good()) {
                    for (int i = 0; i < 4; i++) {
                        acked.put(chunk + i, seed(chunk + i));
                    }
                }
                chunk += 4;
            }
        } catch (IOException e) {
            // the server was killed
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long seed(long chunk) {
        return chunk * 7919 + 1;
    }

    private static byte[] fua(byte[] write10) {
        write10[1] |= 0x08;
        return write10;
    }
}
