package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import io.xtarget.server.XtargetServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code xtarget xcopy} against a real xtarget: data verified through iSCSI, and its error paths. */
class XcopyCommandTest {
    static final String T1 = "iqn.2026-11.io.xtarget.xcopy:t1";
    static final String T2 = "iqn.2026-11.io.xtarget.xcopy:t2";
    static final String T3 = "iqn.2026-11.io.xtarget.xcopy:t3";
    static final long MIB = 1 << 20;

    @TempDir
    static Path dir;
    static XtargetServer server;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        String p = "127.0.0.1:0";
        ServerConfig cfg = new ServerConfig(List.of(
                new BackstoreConfig("src", BackstoreType.RAM, null, 48 * MIB, 512, null, null),
                new BackstoreConfig("f4k", BackstoreType.FILE, dir.resolve("f4k.img").toString(), 48 * MIB, 4096,
                        null, null),
                new BackstoreConfig("dst", BackstoreType.RAM, null, 8 * MIB, 512, null, null),
                new BackstoreConfig("fenced", BackstoreType.RAM, null, 8 * MIB, 512, null, null)),
                List.of(new TargetConfig(T1, List.of(p), CopyAccessPolicy.INITIATOR,
                                List.of(new LunConfig(0, "src", false), new LunConfig(1, "f4k", false)), List.of()),
                        new TargetConfig(T2, List.of(p), CopyAccessPolicy.INITIATOR,
                                List.of(new LunConfig(0, "dst", false)), List.of()),
                        new TargetConfig(T3, List.of(p), CopyAccessPolicy.PORT,
                                List.of(new LunConfig(0, "fenced", false)), List.of())));
        server = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults());
        port = server.boundAddresses().get(0).getPort();
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

    static IscsiSession session(String target) throws IOException {
        return IscsiSession.open("127.0.0.1", port, target,
                InitiatorOptions.defaults().withInitiatorName("iqn.2026-11.io.xtarget.xcopy:checker"));
    }

    static CommandResult run(IscsiSession s, int lun, byte[] cdb, byte[] out, int in) throws IOException {
        CommandResult r = s.execute(lun, cdb, out == null ? null : ByteBuffer.wrap(out), in);
        for (int i = 0; i < 4 && ScsiProbe.isUnitAttention(r); i++) {
            r = s.execute(lun, cdb, out == null ? null : ByteBuffer.wrap(out), in);
        }
        assertThat(r.status()).as(r.toString()).isZero();
        return r;
    }

    static byte[] rw16(int op, long lba, int blocks) {
        ByteBuffer c = ByteBuffer.allocate(16);
        c.put(0, (byte) op).putLong(2, lba).putInt(10, blocks);
        return c.array();
    }

    static byte[] write(String target, int lun, long lba, int bytes, int blockSize, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        try (IscsiSession s = session(target)) {
            for (int off = 0; off < bytes; off += (int) MIB) {
                int n = (int) Math.min(MIB, bytes - off);
                run(s, lun, rw16(0x8A, lba + off / blockSize, n / blockSize),
                        java.util.Arrays.copyOfRange(data, off, off + n), 0);
            }
        }
        return data;
    }

    static byte[] read(String target, int lun, long lba, int bytes, int blockSize) throws IOException {
        byte[] data = new byte[bytes];
        try (IscsiSession s = session(target)) {
            for (int off = 0; off < bytes; off += (int) MIB) {
                int n = (int) Math.min(MIB, bytes - off);
                CommandResult r = run(s, lun, rw16(0x88, lba + off / blockSize, n / blockSize), null, n);
                r.data().duplicate().get(data, off, n);
            }
        }
        return data;
    }

    @Test
    void wholeSourceCappedToTheDestinationAcrossTargets() throws IOException {
        byte[] src = write(T1, 0, 0, (int) (8 * MIB), 512, 1);
        Run r = xcopy("--poll-ms", "1", url(T1, 0), url(T2, 0));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("16384 blocks of 512 bytes (8.0 MiB) in 1 segment(s)").contains("progress: 8.0 MiB of 8.0 MiB (100%), 1 of 1 segment(s)")
                .containsPattern("copied 8388608 bytes in [0-9.]+ s \\([0-9.]+ MiB/s\\)");
        assertThat(read(T2, 0, 0, (int) (8 * MIB), 512)).isEqualTo(src);
    }

    @Test
    void rangeOnOneTargetFrom512To4096InSeveralSegments() throws IOException {
        long srcLba = 4000;
        byte[] src = write(T1, 0, srcLba, (int) (40 * MIB), 512, 2);
        // 40 MiB: more than one 02h segment carries (65535 blocks, rounded to whole 4096-byte blocks)
        Run r = xcopy("-q", "--src-lba", String.valueOf(srcLba), "--dst-lba", "10", "--blocks",
                String.valueOf(40 * MIB / 512), url(T1, 0), url(T1, 1));
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("in 2 segment(s)").doesNotContain("progress:");
        assertThat(read(T1, 1, 10, (int) (40 * MIB), 4096)).isEqualTo(src);
    }

    @Test
    void inexactRangeIsRefusedBeforeSending() {
        Run r = xcopy("--blocks", "3", url(T1, 0), url(T1, 1));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("not a whole number of 4096-byte destination blocks");
    }

    @Test
    void copyAbortedIsDecodedIntoWords() {
        // target t3 has copy policy port: the destination on t2 is not reachable through it
        Run r = xcopy("--blocks", "8", url(T3, 0), url(T2, 0));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("copy failed")
                .contains("COPY ABORTED: COPY TARGET DEVICE NOT REACHABLE (asc 0x0D ascq 0x02) in segment 0");
    }

    @Test
    void badUrlIsAUsageError() {
        Run r = xcopy("http://127.0.0.1/x/0", url(T2, 0));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("iscsi://");
        assertThat(xcopy(url(T1, 0)).code()).isEqualTo(2); // missing DST-URL: picocli usage
    }

    @Test
    void refusedLoginIsReported() {
        Run r = xcopy(url("iqn.2026-11.io.xtarget.xcopy:nope", 0), url(T2, 0));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("login refused").contains("iqn.2026-11.io.xtarget.xcopy:nope");
    }

    @Test
    void missingLunAndOutOfRangeLbaAreReported() {
        Run r = xcopy(url(T1, 7), url(T2, 0));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("source");
        Run past = xcopy("--src-lba", "99999999", url(T1, 0), url(T2, 0));
        assertThat(past.code()).isEqualTo(1);
        assertThat(past.err()).contains("past the source");
    }

    @Test
    void targetWithoutThirdPartyCopyIsReported() {
        // the reference tgt target, when it runs here: it does not implement EXTENDED COPY
        boolean up;
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 3261), 1000);
            up = true;
        } catch (IOException e) {
            up = false;
        }
        assumeTrue(up, "no reference tgt on 127.0.0.1:3261");
        String tgt = "iscsi://127.0.0.1:3261/iqn.2026-11.io.tgt:base/1";
        Run r = xcopy("--blocks", "8", tgt, tgt);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("does not support third-party copy");
    }
}
