package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.heap;
import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.CopyFixture.map;
import static io.xtarget.scsi.copy.CopyFixture.target;
import static io.xtarget.scsi.copy.ParameterListParserTest.assertSense;
import static io.xtarget.scsi.copy.TokenLists.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.Target;
import io.xtarget.testing.HeapStore;
import io.xtarget.testing.SlowStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every token command through the core: data moved, status data byte for byte, every refusal's sense. */
class TokenCommandsTest {
    static final TokenLimits LIMITS = new TokenLimits(4, 60, 600, 1L << 20, 256L << 10, 64, 64, Duration.ofSeconds(30));

    CopyFixture f;
    final LogicalUnit a = lu("a", 512, 4096, 1);
    final LogicalUnit b = lu("b", 512, 4096, 2);
    final LogicalUnit c = lu("c", 4096, 512, 3);
    final LogicalUnit ro = lu("ro", 512, 4096, 4);
    final LogicalUnit e = lu("e", 512, 4096, 5);
    Target t1;
    Target t2;

    @BeforeEach
    void setUp() {
        start(LIMITS);
    }

    void start(TokenLimits limits) {
        start(limits, new CopyEngine(4096, 64 * 4096));
    }

    void start(TokenLimits limits, CopyEngine engine) {
        f = new CopyFixture(new CopyCommandSet(CopyLimits.DEFAULT, engine, limits));
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false), new LunMapping(1, b, false),
                new LunMapping(2, c, false), new LunMapping(3, ro, true)), CopyAccessPolicy.INITIATOR);
        t2 = target("iqn.t2", 2, map(new LunMapping(0, e, false)), CopyAccessPolicy.PORT);
        f.targets(t1, t2);
        CopyFixture.fill(a, 1);
        CopyFixture.fill(b, 2);
        CopyFixture.fill(c, 3);
        CopyFixture.fill(e, 5);
    }

    @AfterEach
    void close() {
        f.copy.close();
    }

    ScsiResult run(Target t, int lun, Cdb cdb, byte[] out) {
        return f.core.execute(f.task(t, 1, lun, cdb, out));
    }

    byte[] populate(int lun, long listId, long[]... ranges) {
        byte[] list = TokenLists.populateList(ranges);
        ScsiResult r = run(t1, lun, TokenLists.populate(listId, list.length), list);
        assertThat(r.status()).as(String.valueOf(r.sense())).isEqualTo(ScsiStatus.GOOD);
        return TokenLists.tokenOf(CopyFixture.bytes(run(t1, lun, TokenLists.rrti(listId), null)));
    }

    ScsiResult write(Target t, int lun, long listId, byte[] list) {
        return run(t, lun, TokenLists.writeUsingToken(listId, list.length), list);
    }

    static byte[] bytes(LogicalUnit lu, long off, int len) {
        return Arrays.copyOfRange(heap(lu).bytes(), (int) off, (int) off + len);
    }

    @Test
    void populateThenReceiveRodTokenInformation() {
        byte[] token = populate(0, 7, range(10, 20), range(100, 4));
        byte[] rrti = CopyFixture.bytes(run(t1, 0, TokenLists.rrti(7), null));
        assertThat(HexFormat.of().formatHex(rrti, 0, 32)).isEqualTo("00000222" + "10" + "01" + "0000" + "00000000"
                + "00" + "00" + "00" + "f1" + "0000000000000018" + "0000" + "000000000000");
        assertThat(HexFormat.of().formatHex(rrti, 32, 38)).as("ROD TOKEN DESCRIPTORS LENGTH 0202h").isEqualTo("000002020000");
        assertThat(Arrays.copyOfRange(rrti, 38, 550)).isEqualTo(token);
        assertThat(f.copy.stats().tokens().created()).isEqualTo(1);
        // RECEIVE COPY STATUS(LID4): the same header, no token descriptors
        byte[] status = CopyFixture.bytes(run(t1, 0, TokenLists.statusLid4(7), null));
        assertThat(HexFormat.of().formatHex(status)).startsWith("0000001c" + "1001");
        assertThat(status).hasSize(32);
        // another I_T nexus does not see the list identifier
        assertSense(f.core.execute(f.task(t1, 2, 0, TokenLists.rrti(7), null)).sense(), SenseKey.ILLEGAL_REQUEST,
                0x24, 0x00);
    }

    @Test
    void writeUsingTokenCopiesToAnotherLuWithOffsetIntoRod() {
        byte[] token = populate(0, 1, range(10, 20), range(100, 4));
        byte[] want = new byte[12 * 512];
        System.arraycopy(bytes(a, 15 * 512, 15 * 512), 0, want, 0, 12 * 512); // ROD blocks 5..16
        byte[] list = TokenLists.writeList(0, 5, token, range(0, 2), range(50, 10));
        assertThat(write(t1, 1, 2, list).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(bytes(b, 0, 2 * 512)).isEqualTo(Arrays.copyOfRange(want, 0, 1024));
        assertThat(bytes(b, 50 * 512, 10 * 512)).isEqualTo(Arrays.copyOfRange(want, 1024, 6144));
        byte[] rrti = CopyFixture.bytes(run(t1, 1, TokenLists.rrti(2), null));
        assertThat(rrti[4]).isEqualTo((byte) 0x11);
        assertThat(rrti[5]).as("partial ROD token usage: 12 of 19 blocks after the offset").isEqualTo((byte) 0x03);
        assertThat(ByteBuffer.wrap(rrti).getLong(16)).isEqualTo(12);
        assertThat(ByteBuffer.wrap(rrti).getInt(32)).as("no token descriptors").isZero();
        assertThat(f.copy.stats().tokens().used()).isEqualTo(1);
        assertThat(f.copy.stats().tokens().bytesCopied()).isEqualTo(12 * 512);
    }

    @Test
    void a512ByteTokenFillsWhole4096ByteBlocks() {
        byte[] token = populate(0, 1, range(3, 5), range(40, 11)); // 16 blocks of 512 = 2 of 4096
        assertThat(write(t1, 2, 1, TokenLists.writeList(token, range(7, 2))).status()).isEqualTo(ScsiStatus.GOOD);
        byte[] want = new byte[8192];
        System.arraycopy(bytes(a, 3 * 512, 5 * 512), 0, want, 0, 5 * 512);
        System.arraycopy(bytes(a, 40 * 512, 11 * 512), 0, want, 5 * 512, 11 * 512);
        assertThat(bytes(c, 7 * 4096, 8192)).isEqualTo(want);
    }

    @Test
    void aRodShorterThanTheRangesWritesWhatItHasAndReportsTheUnderrun() {
        byte[] token = populate(0, 1, range(0, 6));
        ScsiResult r = write(t1, 1, 2, TokenLists.writeList(token, range(100, 4), range(200, 4)));
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x04);
        assertThat(r.sense().information()).as("blocks written").isEqualTo(6);
        assertThat(bytes(b, 100 * 512, 4 * 512)).isEqualTo(bytes(a, 0, 4 * 512));
        assertThat(bytes(b, 200 * 512, 2 * 512)).isEqualTo(bytes(a, 4 * 512, 2 * 512));
        byte[] rrti = CopyFixture.bytes(run(t1, 1, TokenLists.rrti(2), null));
        assertThat(rrti[5]).as("completed with errors").isEqualTo((byte) 0x02);
        assertThat(rrti[12]).as("CHECK CONDITION").isEqualTo((byte) 0x02);
        assertThat(rrti[14]).as("sense data length").isEqualTo((byte) 18);
        assertThat(rrti[32 + 12]).as("ASC in the held sense").isEqualTo((byte) 0x0D);
        assertThat(ByteBuffer.wrap(rrti).getLong(16)).isEqualTo(6);
    }

    @Test
    void aTokenSmallerThanOneDestinationBlockWritesNothing() {
        byte[] token = populate(0, 1, range(0, 3)); // 1536 bytes: not one 4096-byte block
        byte[] before = bytes(c, 0, 4096);
        ScsiResult r = write(t1, 2, 2, TokenLists.writeList(token, range(0, 1)));
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x04);
        assertThat(r.sense().information()).isZero();
        assertThat(bytes(c, 0, 4096)).isEqualTo(before);
        assertSense(write(t1, 2, 3, TokenLists.writeList(0, -1, token, range(0, 1))).sense(), SenseKey.ILLEGAL_REQUEST,
                0x26, 0x00);
    }

    @Test
    void theZeroTokenZeroesTheRanges() {
        ScsiResult r = write(t1, 1, 3, TokenLists.writeList(TokenLists.zeroToken(), range(5, 3), range(4095, 1)));
        assertThat(r.status()).as(String.valueOf(r.sense())).isEqualTo(ScsiStatus.GOOD);
        assertThat(bytes(b, 5 * 512, 3 * 512)).containsOnly(0);
        assertThat(bytes(b, 4095 * 512, 512)).containsOnly(0);
        assertThat(bytes(b, 4 * 512, 512)).isNotEqualTo(new byte[512]);
        assertThat(f.copy.stats().tokens().bytesZeroed()).isEqualTo(4 * 512);
    }

    @Test
    void delTknDeletesTheTokenAfterTheWrite() {
        byte[] token = populate(0, 1, range(0, 4));
        assertThat(write(t1, 1, 2, TokenLists.writeList(0x02, 0, token, range(0, 4))).status())
                .isEqualTo(ScsiStatus.GOOD);
        assertSense(write(t1, 1, 3, TokenLists.writeList(token, range(0, 4))).sense(), SenseKey.ILLEGAL_REQUEST,
                0x23, 0x09);
    }

    @Test
    void tokensTheCopyManagerDoesNotKnowOrCannotRead() {
        byte[] token = populate(0, 1, range(0, 4));
        byte[] forged = token.clone();
        forged[300] ^= 0x40;
        assertSense(write(t1, 1, 2, TokenLists.writeList(forged, range(0, 4))).sense(), SenseKey.ILLEGAL_REQUEST,
                0x23, 0x04);
        byte[] otherType = token.clone();
        otherType[1] = 0x02;
        assertSense(write(t1, 1, 2, TokenLists.writeList(otherType, range(0, 4))).sense(), SenseKey.ILLEGAL_REQUEST,
                0x23, 0x01);
        byte[] shortLength = token.clone();
        shortLength[7] = 0x00;
        assertSense(write(t1, 1, 2, TokenLists.writeList(shortLength, range(0, 4))).sense(),
                SenseKey.ILLEGAL_REQUEST, 0x23, 0x0A);
        // target 2 has copy policy port and does not map LU a: the token is unknown there, nothing written
        byte[] before = bytes(e, 0, 4096);
        ScsiResult refused = write(t2, 0, 2, TokenLists.writeList(token, range(0, 4)));
        assertThat(refused.sense()).isEqualTo(write(t2, 0, 3, TokenLists.writeList(forged, range(0, 4))).sense());
        assertSense(refused.sense(), SenseKey.ILLEGAL_REQUEST, 0x23, 0x04);
        assertThat(bytes(e, 0, 4096)).isEqualTo(before);
    }

    @Test
    void aReadOnlyDestinationIsWriteProtected() {
        byte[] token = populate(0, 1, range(0, 4));
        assertSense(write(t1, 3, 2, TokenLists.writeList(token, range(0, 4))).sense(), SenseKey.DATA_PROTECT, 0x27,
                0x00);
        assertThat(populate(3, 3, range(0, 4))).as("a read-only mapping may populate").hasSize(512);
    }

    @Test
    void parameterListRefusals() {
        byte[] token = populate(0, 1, range(0, 4));
        // ranges: past the end (INFORMATION = first missing LBA), overlapping (pointer to the later one), too many
        ScsiResult past = write(t1, 1, 2, TokenLists.writeList(token, range(4094, 4)));
        assertSense(past.sense(), SenseKey.ILLEGAL_REQUEST, 0x21, 0x00);
        assertThat(past.sense().information()).isEqualTo(4096);
        ScsiResult overlap = write(t1, 1, 2, TokenLists.writeList(token, range(0, 4), range(10, 2), range(3, 1)));
        assertSense(overlap.sense(), SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        assertThat(overlap.sense().senseKeySpecific()).isEqualTo(0x800000 | (536 + 32));
        assertSense(write(t1, 1, 2, TokenLists.writeList(token, range(0, 1), range(1, 1), range(2, 1), range(3, 1),
                range(4, 1))).sense(), SenseKey.ILLEGAL_REQUEST, 0x26, 0x08); // 5 ranges, 4 allowed: TOO MANY SEGMENT DESCRIPTORS
        byte[] five = TokenLists.writeList(token, range(0, 1), range(1, 1), range(2, 1), range(3, 1), range(4, 1));
        ScsiResult tooMany = run(t1, 1, TokenLists.writeUsingToken(2, 536 + 64), five);
        assertSense(tooMany.sense(), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00); // list says 80 bytes of ranges, 64 sent
        // OFFSET INTO ROD past the ROD, reserved flag bits, short lists
        assertSense(write(t1, 1, 2, TokenLists.writeList(0, 4, token, range(0, 1))).sense(), SenseKey.ILLEGAL_REQUEST,
                0x26, 0x00);
        ScsiResult flags = write(t1, 1, 2, TokenLists.writeList(0x04, 0, token, range(0, 1)));
        assertThat(flags.sense().senseKeySpecific()).isEqualTo(0x800000 | 0x080000 | (2 << 16) | 2);
        assertSense(run(t1, 1, TokenLists.writeUsingToken(2, 100), new byte[100]).sense(), SenseKey.ILLEGAL_REQUEST,
                0x1A, 0x00);
        // POPULATE TOKEN: inactivity timeout above the maximum, RTV with another ROD type, too many blocks, zero ranges
        assertThat(run(t1, 0, TokenLists.populate(5, 32), TokenLists.populateList(0, 601, 0, range(0, 1))).sense()
                .senseKeySpecific()).isEqualTo(0x800004);
        assertThat(run(t1, 0, TokenLists.populate(5, 32), TokenLists.populateList(0x02, 0, 0xFFFF0001, range(0, 1)))
                .sense().senseKeySpecific()).isEqualTo(0x800008);
        assertThat(run(t1, 0, TokenLists.populate(5, 32), TokenLists.populateList(0x02, 0, 0x00010000, range(0, 1)))
                .status()).isEqualTo(ScsiStatus.GOOD);
        ScsiResult big = run(t1, 0, TokenLists.populate(5, 48), TokenLists.populateList(range(0, 2048), range(2048, 1)));
        assertThat(big.sense().senseKeySpecific()).as("past MAXIMUM TOKEN TRANSFER SIZE").isEqualTo(0x800000 | 40);
        byte[] none = TokenLists.populateList(range(0, 1));
        none[15] = 0;
        assertSense(run(t1, 0, TokenLists.populate(5, 32), none).sense(), SenseKey.ILLEGAL_REQUEST, 0x26, 0x00);
        byte[] many = new byte[16 + 5 * 16];
        ByteBuffer.wrap(many).putShort(0, (short) (many.length - 2)).putShort(14, (short) 80);
        assertSense(run(t1, 0, TokenLists.populate(5, many.length), many).sense(), SenseKey.ILLEGAL_REQUEST, 0x26,
                0x08); // 5 ranges, 4 allowed: TOO MANY SEGMENT DESCRIPTORS
        // a PARAMETER LIST LENGTH past what the 16-bit range length can name is a CDB field (nothing sized by it)
        assertSense(run(t1, 0, TokenLists.populate(5, 16 + 0xFFF0 + 16), many).sense(), SenseKey.ILLEGAL_REQUEST,
                0x24, 0x00);
    }

    @Test
    void tooManyRangesWithinTheCdbLimitIsTooManySegmentDescriptors() {
        start(new TokenLimits(2, 60, 600, 1L << 20, 1L << 20, 64, 64, Duration.ofSeconds(30)));
        byte[] list = TokenLists.populateList(range(0, 1), range(1, 1), range(2, 1));
        ScsiResult r = run(t1, 0, TokenLists.populate(1, 16 + 32), Arrays.copyOf(list, 48));
        assertSense(r.sense(), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
        ByteBuffer.wrap(list).putShort(14, (short) 32);
        assertThat(run(t1, 0, TokenLists.populate(1, 48), Arrays.copyOf(list, 48)).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void aSynchronousWriteStoppedByTheTimeBudgetReportsTheBlocksWritten() {
        start(new TokenLimits(4, 60, 600, 1L << 30, 1L << 20, 64, 64, Duration.ZERO));
        byte[] token = populate(0, 1, range(0, 64));
        ScsiResult r = write(t1, 1, 2, TokenLists.writeList(token, range(0, 64)));
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x04);
        assertThat(r.sense().information()).isZero();
    }

    @Test
    void onASlowStoreEachCommandEndsInTimeWithTheBlocksOnTheMedium() {
        start(TokenLimits.DEFAULT, new CopyEngine()); // 1 MiB chunks, 4 lanes, the 2.5 s budget
        // a destination writing 1 MiB/s or 256 KiB/s (less than one chunk per lane, or 16 MiB, in
        // the budget), and a source reading 1 MiB/s: {rate, blocks, slow source}
        for (long[] c : new long[][] {{1 << 20, 8192, 0}, {256 << 10, 2048, 0}, {1 << 20, 8192, 1}}) {
            String what = (c[2] == 1 ? "source" : "destination") + " at " + c[0] + " B/s";
            HeapStore medium = new HeapStore(512, c[1]);
            new java.util.Random(c[0]).nextBytes(medium.bytes());
            HeapStore from = new HeapStore(512, c[1]);
            new java.util.Random(10).nextBytes(from.bytes());
            LogicalUnit dst = new LogicalUnit("dst", c[2] == 1 ? medium : new SlowStore(medium, c[0], false),
                    lu("x", 512, 1, 9).naa(), "SN9", false);
            LogicalUnit source = new LogicalUnit("source", c[2] == 1 ? new SlowStore(from, c[0], true) : from,
                    lu("x", 512, 1, 10).naa(), "SN10", false);
            Target t3 = target("iqn.t3", 3, map(new LunMapping(0, dst, false), new LunMapping(1, source, false)),
                    CopyAccessPolicy.INITIATOR);
            f.targets(t1, t2, t3);
            byte[] token = TokenLists.tokenOf(CopyFixture.bytes(run0(t3, 1, TokenLists.populateList(range(0, c[1])))));
            byte[] src = from.bytes();
            long done = 0;
            int commands = 0;
            while (done < c[1]) {
                long t0 = System.nanoTime();
                ScsiResult r = run(t3, 0, TokenLists.writeUsingToken(2, 552),
                        TokenLists.writeList(0, done, token, range(done, c[1] - done)));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("WRITE USING TOKEN %d, %s", commands, what).isLessThan(3500);
                assertThat(++commands).isLessThan(8);
                if (r.status() == ScsiStatus.GOOD) {
                    done = c[1];
                    break;
                }
                assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x04);
                long info = r.sense().information();
                assertThat(info).as("progress, %s", what).isPositive();
                // INFORMATION is exactly the blocks now equal to the source from the range's start
                long equal = done;
                while (equal < c[1] && Arrays.equals(medium.bytes(), (int) equal * 512, (int) equal * 512 + 512, src,
                        (int) equal * 512, (int) equal * 512 + 512)) {
                    equal++;
                }
                assertThat(done + info).as("blocks on the medium, %s", what).isEqualTo(equal);
                done += info;
            }
            assertThat(commands).as("the budget ended the first command early, %s", what).isGreaterThan(1);
            assertThat(medium.bytes()).as(what).isEqualTo(src);
        }
    }

    @Test
    void busyListIdentifierAndCopyOperationAbortOfAnImmediateCopy() throws Exception {
        GateStore gate = new GateStore(512, 4096);
        LogicalUnit slow = new LogicalUnit("slow", gate, lu("x", 512, 1, 9).naa(), "SN9", false);
        Target t3 = target("iqn.t3", 3, map(new LunMapping(0, slow, false), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1, t2, t3);
        byte[] token = TokenLists.tokenOf(CopyFixture.bytes(run0(t3, 0, TokenLists.populateList(range(0, 2048)))));
        byte[] before = bytes(b, 0, 2048 * 512);
        ScsiResult started = run(t3, 1, TokenLists.writeUsingToken(9, 552), TokenLists.writeList(0x01, 0, token,
                range(0, 2048)));
        assertThat(started.status()).as("IMMED=1 returns at once").isEqualTo(ScsiStatus.GOOD);
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        byte[] running = CopyFixture.bytes(run(t3, 1, TokenLists.rrti(9), null));
        assertThat(running[5]).as("in progress in the background").isEqualTo((byte) 0x12);
        assertSense(run(t3, 1, TokenLists.writeUsingToken(9, 552), TokenLists.writeList(token, range(0, 1))).sense(),
                SenseKey.ILLEGAL_REQUEST, 0x00, 0x16);
        CompletableFuture<ScsiResult> abort = CompletableFuture.supplyAsync(() -> run(t3, 1, TokenLists.abort(9), null));
        Thread.sleep(100);
        gate.release.countDown();
        assertThat(abort.get(20, TimeUnit.SECONDS).status()).isEqualTo(ScsiStatus.GOOD);
        byte[] ended = CopyFixture.bytes(run(t3, 1, TokenLists.rrti(9), null));
        assertThat(ended[5]).as("terminated").isEqualTo((byte) 0x60);
        assertThat(ByteBuffer.wrap(ended).getLong(16)).as("stopped before the end").isLessThan(2048);
        assertThat(bytes(b, 2000 * 512, 48 * 512)).isEqualTo(Arrays.copyOfRange(before, 2000 * 512, 2048 * 512));
        assertSense(run(t3, 1, TokenLists.abort(10), null).sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    private ScsiResult run0(Target t, int lun, byte[] list) {
        assertThat(f.core.execute(f.task(t, 1, lun, TokenLists.populate(1, list.length), list)).status())
                .isEqualTo(ScsiStatus.GOOD);
        return f.core.execute(f.task(t, 1, lun, TokenLists.rrti(1), null));
    }

    @Test
    void reportAllRodTokensShowsOnlyTokensTheInitiatorCouldUse() {
        byte[] token = populate(0, 1, range(0, 4));
        byte[] all = CopyFixture.bytes(run(t1, 0, TokenLists.reportAll(), null));
        assertThat(ByteBuffer.wrap(all).getInt(0)).isEqualTo(4 + 96);
        assertThat(Arrays.copyOfRange(all, 8, 104)).isEqualTo(Arrays.copyOf(token, 96));
        byte[] none = CopyFixture.bytes(run(t2, 0, TokenLists.reportAll(), null));
        assertThat(ByteBuffer.wrap(none).getInt(0)).isEqualTo(4);
    }

    @Test
    void everyRowDeclaresTheFieldsItReads() {
        assertThat(HexFormat.of().formatHex(f.table.get(0x83, 0x10).cdbUsage()))
                .isEqualTo("831000000000ffffffffffffffff0000");
        assertThat(HexFormat.of().formatHex(f.table.get(0x83, 0x11).cdbUsage()))
                .isEqualTo("831100000000ffffffffffffffff0000");
        assertThat(HexFormat.of().formatHex(f.table.get(0x83, 0x1C).cdbUsage()))
                .isEqualTo("831cffffffff00000000000000000000");
        for (int sa : new int[] {0x05, 0x07}) {
            assertThat(HexFormat.of().formatHex(f.table.get(0x84, sa).cdbUsage()))
                    .isEqualTo("84" + String.format("%02x", sa) + "ffffffff00000000ffffffff0000");
        }
        assertThat(HexFormat.of().formatHex(f.table.get(0x84, 0x08).cdbUsage()))
                .isEqualTo("84080000000000000000ffffffff0000");
        // the core refuses what the usage data does not name, e.g. GROUP NUMBER
        Cdb grouped = TokenLists.populate(1, 32);
        grouped.bytes()[14] = 0x01;
        ScsiResult r = run(t1, 0, grouped, TokenLists.populateList(range(0, 1)));
        assertSense(r.sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
    }
}
