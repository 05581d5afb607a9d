package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R512;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EXTENDED COPY(LID1) shaped as VMware ESXi's VAAI clone sends it (SPC-4 6.4): LIST ID USAGE 11b
 * with LIST ID 0 (no list identifier, nothing held for RECEIVE COPY RESULTS), two identification
 * CSCD descriptors E4h naming source and destination by the NAA designator of VPD 0x83 with the
 * disk block length, and one block to block segment 02h of 8192 or 32768 blocks (ESXi's 4 MiB and
 * 16 MiB transfer sizes at 512-byte blocks). Repeated back to back from two sessions (two I_T
 * nexuses of one host, as a multipathed host has) on the same LUs, PUSH (sent to the source LU)
 * and PULL (sent to the destination LU), and both sessions at once; every destination is read
 * back through iSCSI and compared.
 */
class EsxiXcopyE2eTest extends CopyE2eBase {
    static Host second;

    @BeforeAll
    static void secondSession() throws IOException {
        second = server.login(A, HOST);
        for (Host h : new Host[] {host, second}) { // take the POWER ON unit attentions of both nexuses
            h.blockSize(R512);
            h.blockSize(F512);
        }
    }

    @AfterAll
    static void closeSecond() {
        if (second != null) {
            second.close();
        }
    }

    /** ESXi's parameter list: LIST ID 0, usage 11b, two E4h CSCDs, one 02h segment. */
    static byte[] esxiList(Host h, int srcLun, int dstLun, int blocks, long srcLba, long dstLba) throws IOException {
        return new XcopyList().listId(0, XcopyList.USAGE_NO_LIST_ID)
                .cscd(h.naaDescriptor(srcLun), 512).cscd(h.naaDescriptor(dstLun), 512)
                .segment(0, 1, blocks, srcLba, dstLba).build();
    }

    static byte[] pattern(long seed, int bytes) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes a fresh pattern in 1 MiB commands. */
    static byte[] fill(int lun, long lba, int blocks, long seed) throws IOException {
        byte[] p = pattern(seed, blocks * 512);
        for (int off = 0; off < blocks; off += 2048) {
            int n = Math.min(2048, blocks - off);
            host.write(lun, lba + off, Arrays.copyOfRange(p, off * 512, (off + n) * 512), 512);
        }
        return p;
    }

    /** Marks the first, a middle and the last block of a destination range, so a copy must overwrite them. */
    static void poison(int lun, long lba, int blocks) throws IOException {
        byte[] junk = new byte[512];
        Arrays.fill(junk, (byte) 0xEE);
        for (long b : new long[] {lba, lba + blocks / 2, lba + blocks - 1}) {
            host.write(lun, b, junk, 512);
        }
    }

    static void assertCopied(int lun, long lba, byte[] want) throws IOException {
        int blocks = want.length / 512;
        for (int off = 0; off < blocks; off += 2048) {
            int n = Math.min(2048, blocks - off);
            byte[] got = host.read(lun, lba + off, n, 512);
            assertThat(Arrays.equals(got, 0, got.length, want, off * 512, (off + n) * 512))
                    .as("LUN %d blocks %d..%d", lun, lba + off, lba + off + n - 1).isTrue();
        }
    }

    static void assertGood(CommandResult r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(CommandResult.GOOD);
    }

    @ParameterizedTest(name = "{0} blocks")
    @ValueSource(ints = {8192, 32768})
    void pushAndPullBackToBackFromTwoSessions(int blocks) throws IOException {
        byte[] src = fill(R512, 0, blocks, blocks);
        long[] dstLbas = {0, 32768};
        int copies = 0;
        for (boolean push : new boolean[] {true, false}) {
            for (Host h : new Host[] {host, second, host, second}) {
                long dst = dstLbas[copies++ % 2];
                poison(F512, dst, blocks);
                byte[] list = esxiList(h, R512, F512, blocks, 0, dst);
                assertGood(h.xcopy(push ? R512 : F512, list));
                assertCopied(F512, dst, src);
            }
        }
    }

    @ParameterizedTest(name = "{0} blocks")
    @ValueSource(ints = {8192, 32768})
    void bothSessionsAtOnceWithListIdZero(int blocks) throws IOException {
        // LIST ID 0 with usage 11b names no copy: two at once never collide (no OPERATION IN PROGRESS)
        byte[] src = fill(R512, 0, blocks, blocks + 1);
        poison(F512, 0, blocks);
        poison(F512, 32768, blocks);
        CompletableFuture<CommandResult> push = host.submitXcopy(R512, esxiList(host, R512, F512, blocks, 0, 0));
        CompletableFuture<CommandResult> pull = second.submitXcopy(F512,
                esxiList(second, R512, F512, blocks, 0, 32768));
        assertGood(push.join());
        assertGood(pull.join());
        assertCopied(F512, 0, src);
        assertCopied(F512, 32768, src);
    }

    @ParameterizedTest(name = "{0} blocks")
    @ValueSource(ints = {8192})
    void cloneWithinOneLuNamesItTwice(int blocks) throws IOException {
        // a clone inside one datastore: both CSCDs carry the same NAA
        byte[] src = fill(F512, 0, blocks, 99);
        for (Host h : new Host[] {host, second}) {
            poison(F512, 40000, blocks);
            assertGood(h.xcopy(F512, esxiList(h, F512, F512, blocks, 0, 40000)));
            assertCopied(F512, 40000, src);
        }
    }
}
