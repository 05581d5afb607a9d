package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.cli.Cli.Run;
import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.copy.CopyStats;
import io.xtarget.server.XtargetServer;
import io.xtarget.testing.SlowStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xtarget xcopy --odx} and {@code --zero} against a real xtarget: POPULATE TOKEN on the
 * source's session, WRITE USING TOKEN through the destination's (another session for another
 * target), across block sizes, over several tokens, continuing after early ends; data compared.
 */
class XcopyOdxCommandTest {
    static final String T1 = "iqn.2026-11.io.xtarget.odx:t1";
    static final String T2 = "iqn.2026-11.io.xtarget.odx:t2";
    static final String T3 = "iqn.2026-11.io.xtarget.odx:t3";
    static final long MIB = 1 << 20;
    /** More than one 256 MiB token (MAXIMUM TOKEN TRANSFER SIZE). */
    static final long BIG = 320 * MIB;

    @TempDir
    static Path dir;
    static XtargetServer server;
    static SlowStore slow;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        String p = "127.0.0.1:0";
        ServerConfig cfg = new ServerConfig(List.of(
                ram("src", 512, 80 * MIB),
                file("f4k", 4096, 48 * MIB),
                ram("slow", 512, 80 * MIB),
                file("big512", 512, BIG),
                ram("dst", 512, 16 * MIB),
                file("big4k", 4096, BIG),
                ram("fenced", 512, 8 * MIB)),
                List.of(new TargetConfig(T1, List.of(p), CopyAccessPolicy.INITIATOR,
                                List.of(lun(0, "src"), lun(1, "f4k"), lun(2, "slow"), lun(3, "big512")), List.of()),
                        new TargetConfig(T2, List.of(p), CopyAccessPolicy.INITIATOR,
                                List.of(lun(0, "dst"), lun(1, "big4k")), List.of()),
                        new TargetConfig(T3, List.of(p), CopyAccessPolicy.PORT, List.of(lun(0, "fenced")),
                                List.of())));
        server = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults(),
                (name, store) -> name.equals("slow") ? slow = new SlowStore(store) : store);
        port = server.boundAddresses().get(0).getPort();
    }

    private static BackstoreConfig ram(String name, int blockSize, long size) {
        return new BackstoreConfig(name, BackstoreType.RAM, null, size, blockSize, null, null);
    }

    private static BackstoreConfig file(String name, int blockSize, long size) {
        return new BackstoreConfig(name, BackstoreType.FILE, dir.resolve(name + ".img").toString(), size, blockSize,
                null, null);
    }

    private static LunConfig lun(int n, String backstore) {
        return new LunConfig(n, backstore, false);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Run xcopy(String... args) {
        return Cli.command("xcopy", args);
    }

    static String url(String target, int lun) {
        return "iscsi://127.0.0.1:" + port + "/" + target + "/" + lun;
    }

    static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes or reads {@code data.length} bytes at {@code lba} in 1 MiB commands (READ(16) when {@code read}). */
    static byte[] io(String target, int lun, long lba, int blockSize, byte[] data, boolean read) throws IOException {
        try (IscsiSession s = IscsiSession.open("127.0.0.1", port, target,
                InitiatorOptions.defaults().withInitiatorName("iqn.2026-11.io.xtarget.odx:checker"))) {
            for (int off = 0; off < data.length; off += (int) MIB) {
                int n = (int) Math.min(MIB, data.length - off);
                ByteBuffer c = ByteBuffer.allocate(16);
                c.put(0, (byte) (read ? 0x88 : 0x8A)).putLong(2, lba + off / blockSize).putInt(10, n / blockSize);
                ByteBuffer out = read ? null : ByteBuffer.wrap(data, off, n);
                CommandResult r = s.execute(lun, c.array(), out, read ? n : 0);
                for (int i = 0; i < 4 && ScsiProbe.isUnitAttention(r); i++) {
                    r = s.execute(lun, c.array(), read ? null : ByteBuffer.wrap(data, off, n), read ? n : 0);
                }
                assertThat(r.status()).as(r.toString()).isZero();
                if (read) {
                    r.data().duplicate().get(data, off, n);
                }
            }
        }
        return data;
    }

    static byte[] write(String target, int lun, long lba, int blockSize, byte[] data) throws IOException {
        return io(target, lun, lba, blockSize, data, false);
    }

    static byte[] read(String target, int lun, long lba, int blockSize, int bytes) throws IOException {
        return io(target, lun, lba, blockSize, new byte[bytes], true);
    }

    @Test
    void acrossTargetsThroughTwoSessionsWithProgress() throws IOException {
        byte[] src = write(T1, 0, 0, 512, random((int) (8 * MIB), 1));
        CopyStats.Tokens before = server.copyStats().tokens();
        Run r = xcopy("--odx", "--poll-ms", "1", "--blocks", "16384", url(T1, 0), url(T2, 0));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("odx " + url(T1, 0) + " -> " + url(T2, 0) + ": ")
                .contains("16384 blocks of 512 bytes (8.0 MiB), tokens of up to 256.0 MiB, WRITE USING TOKEN of up to"
                        + " 64.0 MiB")
                .contains("progress: 8.0 MiB of 8.0 MiB (100%), 1 token(s), 1 WRITE USING TOKEN command(s)")
                .containsPattern("copied 8388608 bytes in [0-9.]+ s \\([0-9.]+ MiB/s\\)");
        assertThat(read(T2, 0, 0, 512, (int) (8 * MIB))).isEqualTo(src);
        CopyStats.Tokens after = server.copyStats().tokens();
        assertThat(after.created() - before.created()).isEqualTo(1);
        assertThat(after.used() - before.used()).isEqualTo(1);
        assertThat(after.bytesCopied() - before.bytesCopied()).isEqualTo(8 * MIB);
    }

    @Test
    void rangeOnOneTargetFrom512To4096AndBack() throws IOException {
        long srcLba = 4000;
        byte[] src = write(T1, 0, srcLba, 512, random((int) (40 * MIB), 2));
        Run r = xcopy("--odx", "-q", "--src-lba", String.valueOf(srcLba), "--dst-lba", "10", "--blocks",
                String.valueOf(40 * MIB / 512), url(T1, 0), url(T1, 1));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).doesNotContain("progress:");
        assertThat(read(T1, 1, 10, 4096, (int) (40 * MIB))).isEqualTo(src);

        Run back = xcopy("--odx", "-q", "--src-lba", "10", "--dst-lba", "3", "--blocks", "256", url(T1, 1),
                url(T2, 0));
        assertThat(back.err()).isEmpty();
        assertThat(back.code()).isZero();
        assertThat(read(T2, 0, 3, 512, (int) MIB)).isEqualTo(Arrays.copyOf(src, (int) MIB));
    }

    @Test
    void severalTokensAcrossTargetsAndBlockSizes() throws IOException {
        // data where the pieces meet: the first MiB, around the end of the first 256 MiB token, the last MiB
        long[] at = {0, 255 * MIB + MIB / 2, BIG - MIB};
        byte[][] src = new byte[at.length][];
        for (int i = 0; i < at.length; i++) {
            src[i] = write(T1, 3, at[i] / 512, 512, random((int) MIB, 10 + i));
            write(T2, 1, at[i] / 4096, 4096, random((int) MIB, 20 + i)); // the destination differs before
        }
        Run r = xcopy("--odx", "--poll-ms", "100000", url(T1, 3), url(T2, 1));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("655360 blocks of 512 bytes (320.0 MiB)")
                .contains("progress: 320.0 MiB of 320.0 MiB (100%), 2 token(s), 5 WRITE USING TOKEN command(s)");
        for (int i = 0; i < at.length; i++) {
            assertThat(read(T2, 1, at[i] / 4096, 4096, (int) MIB)).as("at " + at[i]).isEqualTo(src[i]);
        }
    }

    @Test
    void continuesAfterWriteUsingTokenEndsEarly() throws IOException {
        byte[] src = write(T1, 0, 0, 512, random((int) (72 * MIB), 3));
        // 14 MiB/s: a 64 MiB WRITE USING TOKEN (not the token's last) stops at the 2.5 s budget, the
        // next one (the token's last, DEL_TKN) too, and a new token carries the rest
        Run r = slowCopy(14 * MIB, 72 * MIB, 0);
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("WRITE USING TOKEN ended early (COPY TARGET DEVICE DATA UNDERRUN) after")
                .contains("copied 75497472 bytes");
        assertThat(read(T1, 2, 0, 512, (int) (72 * MIB))).isEqualTo(src);
    }

    @Test
    void completesOnADestinationSlowerThanOneMebibytePerSecond() throws IOException {
        // 1 MiB/s and 256 KiB/s: well below one 16 MiB slice (or 1 MiB chunk per lane) within the
        // budget; every WRITE USING TOKEN must still end in time with the blocks it wrote, and the
        // client get further with each one
        long[][] cases = {{MIB, 3 * MIB, 40 * MIB}, {256 << 10, 3 * MIB / 4, 50 * MIB}};
        for (long[] c : cases) {
            long rate = c[0];
            long bytes = c[1];
            long at = c[2];
            byte[] src = write(T1, 0, at / 512, 512, random((int) bytes, rate));
            Run r = slowCopy(rate, bytes, at);
            assertThat(r.err()).as(rate + " B/s").isEmpty();
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("WRITE USING TOKEN ended early (COPY TARGET DEVICE DATA UNDERRUN) after")
                    .doesNotContain("after 0 of").contains("copied " + bytes + " bytes");
            assertThat(read(T1, 2, at / 512, 512, (int) bytes)).as(rate + " B/s").isEqualTo(src);
        }
    }

    /** {@code xtarget xcopy --odx} of {@code bytes} at byte {@code at} from LU src to LU slow, writing at {@code rate}. */
    private static Run slowCopy(long rate, long bytes, long at) {
        slow.bytesPerSecond(rate);
        try {
            return xcopy("--odx", "--src-lba", String.valueOf(at / 512), "--dst-lba", String.valueOf(at / 512),
                    "--blocks", String.valueOf(bytes / 512), url(T1, 0), url(T1, 2));
        } finally {
            slow.bytesPerSecond(0);
        }
    }

    @Test
    void zeroesARangeWithTheZeroToken() throws IOException {
        byte[] before = write(T2, 0, 0, 512, random((int) (2 * MIB), 4));
        CopyStats.Tokens t0 = server.copyStats().tokens();
        Run r = xcopy("--zero", "--dst-lba", "100", "--blocks", "2048", url(T2, 0));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("zero " + url(T2, 0) + ": 2048 blocks of 512 bytes (1.0 MiB) with the block"
                + " device zero ROD token").contains("zeroed 1048576 bytes");
        byte[] expected = before.clone();
        Arrays.fill(expected, 100 * 512, (100 + 2048) * 512, (byte) 0);
        assertThat(read(T2, 0, 0, 512, (int) (2 * MIB))).isEqualTo(expected);
        assertThat(server.copyStats().tokens().bytesZeroed() - t0.bytesZeroed()).isEqualTo(MIB);
    }

    @Test
    void tokenUnknownThroughAFencedTargetIsDecoded() {
        // target t3 has copy policy port: the token's source LU on t1 is not reachable through it
        Run r = xcopy("--odx", "--blocks", "8", url(T1, 0), url(T3, 0));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("WRITE USING TOKEN of 8 blocks at destination LBA 0 failed after 0.0 MiB: "
                + "ILLEGAL REQUEST: INVALID TOKEN OPERATION, TOKEN UNKNOWN (asc 0x23 ascq 0x04)");
    }

    @Test
    void usageErrors() {
        assertThat(xcopy("--zero", url(T2, 0), url(T2, 0)).code()).isEqualTo(2);
        assertThat(xcopy("--zero", "--odx", url(T2, 0)).code()).isEqualTo(2);
        Run missing = xcopy("--odx", url(T2, 0));
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("missing DST-URL");
        Run past = xcopy("--zero", "--dst-lba", "100", "--blocks", "99999999", url(T2, 0));
        assertThat(past.code()).isEqualTo(1);
        assertThat(past.err()).contains("run past the destination's 32768 blocks");
    }
}
