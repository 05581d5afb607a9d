package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 512-byte blocks of an {@link E2eServer} LU as other initiators see them, through normal sessions
 * of the project's initiator: patterns to write, reads, and the check that a refused command left
 * the medium exactly as it was.
 */
public final class Blocks {
    public static final int BLOCK = 512;
    /** What another initiator leaves in the target's pooled 16 KiB buffers before a test: this byte. */
    public static final byte STALE = (byte) 0xA5;
    private static final long STALE_LBA = 120_000;
    private static final int STALE_BYTES = 16384;
    private static final AtomicInteger sessions = new AtomicInteger();

    private Blocks() {}

    /** A session of a fresh initiator, unit attentions on {@code lun} cleared. */
    public static IscsiSession open(E2eServer server, int lun) throws IOException {
        String name = "iqn.2026-11.io.xtarget:blocks-" + sessions.incrementAndGet();
        IscsiSession s = Scsi.open(server.url(lun), Scsi.options(name)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10)));
        Scsi.clearUnitAttentions(s, lun);
        return s;
    }

    public static void write(E2eServer server, int lun, long lba, byte[] data) throws IOException {
        try (IscsiSession s = open(server, lun)) {
            Scsi.write(s, lun, lba, data, BLOCK);
        }
    }

    public static byte[] read(E2eServer server, int lun, long lba, int bytes) throws IOException {
        try (IscsiSession s = open(server, lun)) {
            return Scsi.read(s, lun, lba, bytes, BLOCK);
        }
    }

    /**
     * Puts a known pattern at {@code lba} (what must still be there after a refused command), then
     * has another initiator write 16 KiB of {@link #STALE} elsewhere and read it back many times, so
     * every pooled 16 KiB buffer of the target holds it: a command that runs on bytes it never
     * received writes 0xA5. Returns the pattern.
     */
    public static byte[] prepare(E2eServer server, int lun, long lba, int blocks, long seed) throws IOException {
        byte[] pattern = Scsi.random(blocks * BLOCK, seed);
        try (IscsiSession s = open(server, lun)) {
            Scsi.write(s, lun, lba, pattern, BLOCK);
            assertThat(Scsi.read(s, lun, lba, pattern.length, BLOCK)).isEqualTo(pattern);
            byte[] stale = new byte[STALE_BYTES];
            Arrays.fill(stale, STALE);
            Scsi.write(s, lun, STALE_LBA, stale, BLOCK);
            for (int i = 0; i < 80; i++) { // the pool keeps at most 64 buffers per size class
                s.execute(lun, Scsi.read10(STALE_LBA, STALE_BYTES / BLOCK), null, STALE_BYTES);
            }
        }
        return pattern;
    }

    /**
     * Reads {@code lba..} back through another session and fails, naming the changed LBAs and what
     * they now hold, unless it is exactly {@code before} (no block of the command was applied).
     */
    public static void assertUnchanged(E2eServer server, int lun, long lba, byte[] before, byte[] sent)
            throws IOException {
        byte[] now = read(server, lun, lba, before.length);
        if (Arrays.equals(now, before)) {
            return;
        }
        List<String> changes = new ArrayList<>();
        int blocks = before.length / BLOCK;
        int start = -1;
        String what = null;
        for (int b = 0; b <= blocks; b++) {
            String w = b == blocks ? null : describe(now, before, sent, b);
            if (w == null ? what != null : !w.equals(what)) {
                if (what != null) {
                    changes.add(String.format("LBAs %d-%d hold %s", lba + start, lba + b - 1, what));
                }
                start = b;
                what = w;
            }
        }
        fail("the medium changed although the command must not have been applied at all: %s", changes);
    }

    private static String describe(byte[] now, byte[] before, byte[] sent, int block) {
        int off = block * BLOCK;
        if (Arrays.equals(now, off, off + BLOCK, before, off, off + BLOCK)) {
            return null;
        }
        byte[] stale = new byte[BLOCK];
        Arrays.fill(stale, STALE);
        if (Arrays.equals(now, off, off + BLOCK, stale, 0, BLOCK)) {
            return "0xA5: another initiator's data, left in a pooled buffer";
        }
        if (sent != null) {
            for (int s = 0; s + BLOCK <= sent.length; s += BLOCK) {
                if (Arrays.equals(now, off, off + BLOCK, sent, s, s + BLOCK)) {
                    return s == off ? "the data the command sent" : "data the command sent for another offset";
                }
            }
        }
        return "other bytes";
    }

    /** A block-sized buffer of one byte value. */
    public static ByteBuffer filled(int bytes, byte value) {
        byte[] b = new byte[bytes];
        Arrays.fill(b, value);
        return ByteBuffer.wrap(b);
    }
}
