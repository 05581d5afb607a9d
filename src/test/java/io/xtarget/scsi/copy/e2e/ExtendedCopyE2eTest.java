package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.B;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.BLK;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F4K;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R4K;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R512;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * EXTENDED COPY through a real iSCSI session: PUSH, PULL, third party, same LU, every pair of
 * backends, mixed block sizes, two targets, several segments, concurrent copies. Every copy is
 * checked by reading the destination back through iSCSI.
 */
class ExtendedCopyE2eTest extends CopyE2eBase {
    static byte[] pattern(long seed, int bytes) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes a fresh pattern of {@code blocks} at {@code lba} and returns it. */
    static byte[] fill(int lun, long lba, int blocks, long seed) throws IOException {
        int bs = host.blockSize(lun);
        byte[] p = pattern(seed, blocks * bs);
        host.write(lun, lba, p, bs);
        return p;
    }

    static byte[] readBytes(int lun, long lba, int bytes) throws IOException {
        int bs = host.blockSize(lun);
        return host.read(lun, lba, bytes / bs, bs);
    }

    static XcopyList twoLus(int srcLun, int dstLun) throws IOException {
        return new XcopyList().cscd(host.naaDescriptor(srcLun), host.blockSize(srcLun))
                .cscd(host.naaDescriptor(dstLun), host.blockSize(dstLun));
    }

    static void assertGood(CommandResult r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(CommandResult.GOOD);
    }

    @Test
    void pushIsSentToTheSource() throws IOException {
        byte[] p = fill(R512, 0, 64, 1);
        assertGood(host.xcopy(R512, twoLus(R512, F512).segment(0, 1, 64, 0, 1000).build()));
        assertThat(readBytes(F512, 1000, p.length)).isEqualTo(p);
    }

    @Test
    void pullIsSentToTheDestination() throws IOException {
        byte[] p = fill(F512, 100, 64, 2);
        assertGood(host.xcopy(R512, twoLus(F512, R512).segment(0, 1, 64, 100, 1100).build()));
        assertThat(readBytes(R512, 1100, p.length)).isEqualTo(p);
    }

    @Test
    void pushNamingItselfWithFfff() throws IOException {
        byte[] p = fill(R512, 200, 16, 3);
        byte[] list = new XcopyList().cscd(host.naaDescriptor(F512), 512).segment(0xFFFF, 0, 16, 200, 1200).build();
        assertGood(host.xcopy(R512, list));
        assertThat(readBytes(F512, 1200, p.length)).isEqualTo(p);
    }

    @Test
    void thirdPartyIsSentToAnUninvolvedLu() throws IOException {
        byte[] p = fill(R512, 300, 32, 4);
        assertGood(host.xcopy(R4K, twoLus(R512, F512).segment(0, 1, 32, 300, 1300).build()));
        assertThat(readBytes(F512, 1300, p.length)).isEqualTo(p);
    }

    @Test
    void sameLuNonOverlapping() throws IOException {
        byte[] p = fill(F512, 2000, 64, 5);
        byte[] d = host.naaDescriptor(F512);
        assertGood(host.xcopy(F512, new XcopyList().cscd(d, 512).segment(0, 0, 64, 2000, 3000).build()));
        assertThat(readBytes(F512, 3000, p.length)).isEqualTo(p);
        assertThat(readBytes(F512, 2000, p.length)).isEqualTo(p);
    }

    @ParameterizedTest
    @MethodSource("overlapLus")
    void sameLuOverlappingCopiesLikeMemmove(int lun) throws IOException {
        int bs = host.blockSize(lun);
        byte[] d = host.naaDescriptor(lun);
        // destination ahead of the source, then behind it; 4 MiB so several engine chunks overlap
        int blocks = (4 << 20) / bs;
        for (long[] c : new long[][] {{5000, 5000 + blocks / 3}, {40000, 40000 - blocks / 3}}) {
            long src = c[0] * 512 / bs;
            long dst = c[1] * 512 / bs;
            byte[] before = fill(lun, Math.min(src, dst), blocks + blocks / 3, 6 + c[0]);
            assertGood(host.xcopy(lun, new XcopyList().cscd(d, bs).segment(0, 0, blocks, src, dst).build()));
            byte[] expected = before.clone();
            int so = (int) ((src - Math.min(src, dst)) * bs);
            int dO = (int) ((dst - Math.min(src, dst)) * bs);
            System.arraycopy(before, so, expected, dO, blocks * bs);
            assertThat(readBytes(lun, Math.min(src, dst), expected.length)).isEqualTo(expected);
        }
    }

    static Stream<Integer> overlapLus() {
        return Stream.of(R512, F4K);
    }

    /** Every backend pair of equal block size: ram, file, block (512), ram, file (4096). */
    static Stream<Arguments> backendPairs() {
        List<Arguments> out = new ArrayList<>();
        int[] k512 = {R512, F512, BLK};
        for (int s : k512) {
            for (int d : k512) {
                out.add(Arguments.of(s, d));
            }
        }
        int[] k4k = {R4K, F4K};
        for (int s : k4k) {
            for (int d : k4k) {
                out.add(Arguments.of(s, d));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "lun {0} -> lun {1}")
    @MethodSource("backendPairs")
    void everyBackendPair(int src, int dst) throws IOException {
        assumeTrue((src != BLK && dst != BLK) || server.hasBlock(), "no loop device (needs root and losetup)");
        int bs = host.blockSize(src);
        int blocks = (3 << 20) / bs + 3; // several engine chunks plus a partial one
        long srcLba = 7 * 512 / bs;
        long dstLba = src == dst ? srcLba + blocks + 11 : 13 * 512 / bs;
        byte[] p = fill(src, srcLba, blocks, 100 + src * 10 + dst);
        assertGood(host.xcopy(src, twoLus(src, dst).segment(0, 1, blocks, srcLba, dstLba).build()));
        assertThat(readBytes(dst, dstLba, p.length)).isEqualTo(p);
    }

    @Test
    void from512To4096AndBackWhenExact() throws IOException {
        byte[] p = fill(R512, 800, 16, 7);
        assertGood(host.xcopy(R512, twoLus(R512, R4K).segment(0, 1, 16, 800, 300).build()));
        assertThat(readBytes(R4K, 300, p.length)).isEqualTo(p);

        byte[] q = fill(F4K, 50, 3, 8);
        assertGood(host.xcopy(F4K, twoLus(F4K, F512).segment(0, 1, 3, 50, 400).build()));
        assertThat(readBytes(F512, 400, q.length)).isEqualTo(q);
    }

    @Test
    void inexact512To4096IsCopyAbortedUnexpectedInexactSegment() throws IOException {
        byte[] before = readBytes(R4K, 500, 4096);
        fill(R512, 900, 3, 9);
        CommandResult r = host.xcopy(R512, twoLus(R512, R4K).segment(0, 1, 3, 900, 500).build());
        SenseData s = Host.sense(r);
        assertThat(s.senseKey()).isEqualTo(0x0A);
        assertThat(s.asc()).isEqualTo(0x26);
        assertThat(s.ascq()).isEqualTo(0x0A);
        assertThat(s.commandSpecific()).isZero();
        assertThat(readBytes(R4K, 500, 4096)).isEqualTo(before);
    }

    @Test
    void acrossTwoTargets() throws IOException {
        byte[] p = fill(F4K, 600, 4, 10);
        try (Host b = server.login(B, HOST)) {
            // sent to target A (policy initiator): the destination is target B's LUN 0
            byte[] list = new XcopyList().cscd(host.naaDescriptor(F4K), 4096).cscd(b.naaDescriptor(0), 512)
                    .segment(0, 1, 4, 600, 64).build();
            assertGood(host.xcopy(F4K, list));
            assertThat(b.read(0, 64, 32, 512)).isEqualTo(p);
            // and back, PULL sent through target B where the destination is target A's r512: B has
            // policy port and r512 is mapped there read-only, so it goes through A instead
            byte[] back = new XcopyList().cscd(b.naaDescriptor(0), 512).cscd(host.naaDescriptor(R512), 512)
                    .segment(0, 1, 32, 64, 7000).build();
            assertGood(host.xcopy(R512, back));
            assertThat(readBytes(R512, 7000, p.length)).isEqualTo(p);
        }
    }

    @Test
    void multiSegmentListWithStatus() throws IOException {
        byte[] p0 = fill(R512, 1400, 8, 11);
        byte[] p1 = fill(F512, 1500, 24, 12);
        byte[] p2 = fill(R4K, 700, 2, 13);
        byte[] list = new XcopyList().listId(77, XcopyList.USAGE_HOLD)
                .cscd(host.naaDescriptor(R512), 512).cscd(host.naaDescriptor(F512), 512)
                .cscd(host.naaDescriptor(R4K), 4096).cscd(host.naaDescriptor(F4K), 4096)
                .segment(0, 3, 8, 1400, 900) // 4 KiB into one 4096 block
                .segment(1, 0, 24, 1500, 1600)
                .segment(2, 1, 2, 700, 1700)
                .build();
        assertGood(host.xcopy(F4K, list));
        assertThat(readBytes(F4K, 900, p0.length)).isEqualTo(p0);
        assertThat(readBytes(R512, 1600, p1.length)).isEqualTo(p1);
        assertThat(readBytes(F512, 1700, p2.length)).isEqualTo(p2);
        long[] st = host.copyStatus(F4K, 77);
        assertThat(st[0]).as("copy manager status: completed, good").isEqualTo(1);
        assertThat(st[1]).as("segments processed").isEqualTo(3);
        assertThat(st[3] << (10 * st[2])).as("bytes").isEqualTo(p0.length + p1.length + p2.length);
    }

    @Test
    void sixteenConcurrentCopiesFromFourSessions() throws Exception {
        int blocks = 2048; // 1 MiB of 512-byte blocks each
        List<Host> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                sessions.add(server.login(A, HOST));
            }
            byte[] src = fill(R512, 20000, 16 * blocks, 14);
            byte[] r512 = host.naaDescriptor(R512);
            byte[] f512 = host.naaDescriptor(F512);
            byte[] blkOrR4k = host.naaDescriptor(R4K);
            // UAs first, so the concurrent commands are the copies themselves
            for (Host s : sessions) {
                for (int lun = 0; lun < 3; lun++) {
                    s.blockSize(lun);
                }
            }
            List<CompletableFuture<CommandResult>> copies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Host s = sessions.get(i % 4);
                XcopyList l = new XcopyList().listId(i / 4 + 1, XcopyList.USAGE_HOLD).cscd(r512, 512);
                if (i % 2 == 0) {
                    l.cscd(f512, 512).segment(0, 1, blocks, 20000 + (long) i * blocks, 30000 + (long) i * blocks);
                } else {
                    l.cscd(blkOrR4k, 4096).segment(0, 1, blocks, 20000 + (long) i * blocks, 4000 + (long) i * 256);
                }
                copies.add(s.submitXcopy(i % 3, l.build()));
            }
            for (CompletableFuture<CommandResult> f : copies) {
                assertGood(f.get());
            }
            for (int i = 0; i < 16; i++) {
                byte[] expect = Arrays.copyOfRange(src, i * blocks * 512, (i + 1) * blocks * 512);
                byte[] got = i % 2 == 0 ? readBytes(F512, 30000 + (long) i * blocks, expect.length)
                        : readBytes(R4K, 4000 + (long) i * 256, expect.length);
                assertThat(got).as("copy %d", i).isEqualTo(expect);
            }
        } finally {
            sessions.forEach(Host::close);
        }
    }
}
