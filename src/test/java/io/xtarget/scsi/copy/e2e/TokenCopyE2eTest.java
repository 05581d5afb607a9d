package io.xtarget.scsi.copy.e2e;

import static io.xtarget.scsi.copy.TokenLists.range;
import static io.xtarget.scsi.copy.e2e.CopyAccessE2eTest.pattern;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.A;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.B;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.C;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F4K;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.F512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.HOST;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.OTHER;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R4K;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.R512;
import static io.xtarget.scsi.copy.e2e.CopyTestServer.SLOW;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.SenseData;
import io.xtarget.scsi.copy.TokenLists;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Windows ODX through iSCSI: POPULATE TOKEN on one session, WRITE USING TOKEN from another
 * session, target and backend, read back and compared; the zero token, expiry, DEL_TKN, the
 * access rule, a busy list identifier and COPY OPERATION ABORT of an IMMED copy.
 */
class TokenCopyE2eTest extends CopyE2eBase {
    private static final AtomicLong LIST_IDS = new AtomicLong(0x1000_0000L);

    static long listId() {
        return LIST_IDS.incrementAndGet();
    }

    /** POPULATE TOKEN (IMMED=0, default timeout) then RECEIVE ROD TOKEN INFORMATION: the token. */
    static byte[] populate(Host h, int lun, int timeout, long[]... ranges) throws IOException {
        long id = listId();
        byte[] list = TokenLists.populateList(0, timeout, 0, ranges);
        CommandResult r = h.run(lun, TokenLists.populate(id, list.length).bytes(), list, 0);
        assertThat(r.status()).as("POPULATE TOKEN " + r).isZero();
        return TokenLists.tokenOf(rrti(h, lun, id));
    }

    static byte[] rrti(Host h, int lun, long id) throws IOException {
        CommandResult r = h.run(lun, TokenLists.rrti(id).bytes(), null, 4096);
        assertThat(r.status()).as("RRTI " + r).isZero();
        return r.dataBytes();
    }

    static CommandResult write(Host h, int lun, byte[] list) throws IOException {
        return h.run(lun, TokenLists.writeUsingToken(listId(), list.length).bytes(), list, 0);
    }

    static void assertGood(CommandResult r) {
        assertThat(r.status()).as(r.toString()).isZero();
    }

    static void assertIllegal(CommandResult r, int asc, int ascq) {
        SenseData s = Host.sense(r);
        assertThat(new int[] {s.senseKey(), s.asc(), s.ascq()}).as(s.toString()).containsExactly(5, asc, ascq);
    }

    @Test
    void ramTokenWrittenThroughAnotherTargetToAnotherLu() throws IOException {
        byte[] data = pattern(11, 64 * 512);
        host.write(R512, 1000, data, 512);
        byte[] token = populate(host, R512, 0, range(1000, 64));
        // target B (copy policy port) maps r512 read-only for HOST: the token's source is readable there
        try (Host b = server.login(B, HOST)) {
            assertGood(write(b, 0, TokenLists.writeList(token, range(10, 32), range(100, 32))));
            assertThat(b.read(0, 10, 32, 512)).isEqualTo(Arrays.copyOfRange(data, 0, 32 * 512));
            assertThat(b.read(0, 100, 32, 512)).isEqualTo(Arrays.copyOfRange(data, 32 * 512, 64 * 512));
        }
        assertThat(server.server.copyStats().tokens().used()).isPositive();
    }

    @Test
    void ramToFileOnASecondSessionAnd512To4096() throws IOException {
        byte[] data = pattern(12, 256 * 512);
        host.write(R512, 2048, data, 512);
        byte[] token = populate(host, R512, 0, range(2048, 100), range(2148, 156)); // 256 blocks = 32 x 4096
        try (Host second = server.login(A, HOST)) {
            assertGood(write(second, F512, TokenLists.writeList(token, range(0, 256))));
            assertThat(second.read(F512, 0, 256, 512)).isEqualTo(data);
            // a 4096-byte destination takes whole blocks of it: 32 blocks, OFFSET INTO ROD 2 (of 4096)
            assertGood(write(second, F4K, TokenLists.writeList(0, 2, token, range(7, 30))));
            assertThat(second.read(F4K, 7, 30, 4096)).isEqualTo(Arrays.copyOfRange(data, 2 * 4096, 32 * 4096));
            // and 4096 -> 512: a token of the 4k RAM LU written to the 512 file LU
            byte[] big = pattern(13, 8 * 4096);
            second.write(R4K, 64, big, 4096);
            byte[] t4k = populate(second, R4K, 0, range(64, 8));
            assertGood(write(host, F512, TokenLists.writeList(t4k, range(4096, 64))));
            assertThat(host.read(F512, 4096, 64, 512)).isEqualTo(big);
        }
    }

    @Test
    void theZeroTokenZeroesAFileLu() throws IOException {
        host.write(F512, 300, pattern(14, 16 * 512), 512);
        assertGood(write(host, F512, TokenLists.writeList(TokenLists.zeroToken(), range(300, 16))));
        assertThat(host.read(F512, 300, 16, 512)).containsOnly(0);
    }

    @Test
    void expiredAndDeletedTokens() throws Exception {
        byte[] shortLived = populate(host, R512, 1, range(0, 8));
        byte[] deleted = populate(host, R512, 0, range(0, 8));
        assertGood(write(host, F512, TokenLists.writeList(0x02, 0, deleted, range(0, 8)))); // DEL_TKN
        assertIllegal(write(host, F512, TokenLists.writeList(deleted, range(0, 8))), 0x23, 0x09);
        Thread.sleep(2200);
        assertIllegal(write(host, F512, TokenLists.writeList(shortLived, range(0, 8))), 0x23, 0x07);
        assertThat(server.server.copyStats().tokens().expired()).isPositive();
    }

    @Test
    void anInitiatorThatCannotReadTheSourceGetsTokenUnknownAndNothingIsWritten() throws IOException {
        // OTHER's LU "secret" (target C, ACL OTHER only) is no LU HOST reaches through any target
        byte[] token;
        try (Host other = server.login(C, OTHER)) {
            other.write(0, 0, pattern(16, 16 * 512), 512);
            token = populate(other, 0, 0, range(0, 16));
        }
        byte[] before = pattern(15, 16 * 512);
        host.write(F512, 700, before, 512);
        CommandResult r = write(host, F512, TokenLists.writeList(token, range(700, 16)));
        assertIllegal(r, 0x23, 0x04);
        byte[] forged = token.clone();
        forged[400] ^= 1;
        assertThat(write(host, F512, TokenLists.writeList(forged, range(700, 16))).sense())
                .as("same sense bytes as a token never made").isEqualTo(r.sense());
        assertThat(host.read(F512, 700, 16, 512)).isEqualTo(before);
    }

    @Test
    void busyListIdentifierAndCopyOperationAbortOfAnImmediateCopy() throws Exception {
        byte[] token = populate(host, R512, 0, range(0, 32768)); // 16 MiB
        long id = listId();
        byte[] list = TokenLists.writeList(0x01, 0, token, range(0, 32768));
        server.slow.arm(100); // every chunk write waits: the copy is still running when the abort comes
        try {
            assertGood(host.run(SLOW, TokenLists.writeUsingToken(id, list.length).bytes(), list, 0));
            assertThat(server.slow.awaitWrite(() -> false)).isTrue();
            assertThat(rrti(host, SLOW, id)[5]).as("in progress, background").isEqualTo((byte) 0x12);
            CommandResult busy = host.run(SLOW, TokenLists.writeUsingToken(id, list.length).bytes(),
                    TokenLists.writeList(token, range(0, 1)), 0);
            assertThat(Host.sense(busy).asc()).as("OPERATION IN PROGRESS").isZero();
            assertThat(Host.sense(busy).ascq()).isEqualTo(0x16);
            assertGood(host.run(SLOW, TokenLists.abort(id).bytes(), null, 0));
            byte[] ended = rrti(host, SLOW, id);
            assertThat(ended[5]).as("terminated").isEqualTo((byte) 0x60);
            assertThat(ByteBuffer.wrap(ended).getLong(16)).isLessThan(32768);
        } finally {
            server.slow.disarm();
        }
    }

    @Test
    void windowsDiscovery() throws IOException {
        // VPD 0x00 strictly ascending, with 0x8F
        byte[] vpd0 = host.run(R512, new byte[] {0x12, 1, 0, 0, (byte) 0xFF, 0}, null, 255).dataBytes();
        for (int i = 5; i < 4 + vpd0[3]; i++) {
            assertThat(vpd0[i] & 0xFF).isGreaterThan(vpd0[i - 1] & 0xFF);
        }
        // VPD 0x8F starts with the Block Device ROD Token Limits descriptor
        ByteBuffer tpc = host.run(R512, new byte[] {0x12, 1, (byte) 0x8F, 0x04, 0x00, 0}, null, 1024).data();
        assertThat(tpc.getShort(4)).isZero();
        assertThat(tpc.getShort(6)).isEqualTo((short) 0x20);
        assertThat(tpc.getShort(14)).as("MAXIMUM RANGE DESCRIPTORS").isEqualTo((short) 64);
        assertThat(tpc.getLong(24)).as("MAXIMUM TOKEN TRANSFER SIZE, blocks").isPositive();
        // REPORT SUPPORTED OPERATION CODES, one command: WRITE USING TOKEN is supported
        byte[] rsoc = {(byte) 0xA3, 0x0C, 0x02, (byte) 0x83, 0, 0x11, 0, 0, 1, 0, 0, 0};
        CommandResult r = host.run(R512, rsoc, null, 256);
        assertGood(r);
        assertThat(r.dataBytes()[1] & 0x07).as("SUPPORT: supported per the standard").isEqualTo(3);
        // MODE SELECT(10) of the control page with QERR=00b, as Windows sends it
        byte[] sense = host.run(R512, new byte[] {0x5A, 0x08, 0x0A, 0, 0, 0, 0, 0, (byte) 0xFF, 0}, null, 255)
                .dataBytes();
        byte[] page = Arrays.copyOfRange(sense, 8, 8 + 12);
        page[0] &= 0x3F; // PS is reserved in MODE SELECT
        page[3] &= (byte) ~0x06; // QERR 00b
        byte[] params = new byte[8 + 12];
        System.arraycopy(page, 0, params, 8, 12);
        assertGood(host.run(R512, new byte[] {0x55, 0x10, 0, 0, 0, 0, 0, 0, (byte) params.length, 0}, params, 0));
    }
}
