package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.heap;
import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.CopyFixture.map;
import static io.xtarget.scsi.copy.CopyFixture.target;
import static io.xtarget.scsi.copy.ParameterListParserTest.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.Target;
import io.xtarget.testing.HeapStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

class ExtendedCopyTest {
    private final CopyFixture f = new CopyFixture();
    private final LogicalUnit a = lu("a", 512, 4096, 1);
    private final LogicalUnit b = lu("b", 512, 4096, 2);
    private final LogicalUnit c = lu("c", 512, 4096, 3);

    private Target t1;

    private void oneTarget() {
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false), new LunMapping(1, b, false),
                new LunMapping(2, c, false)), CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        CopyFixture.fill(a, 1);
        CopyFixture.fill(b, 2);
        CopyFixture.fill(c, 3);
    }

    private static byte[] range(LogicalUnit lu, long off, int len) {
        return Arrays.copyOfRange(heap(lu).bytes(), (int) off, (int) off + len);
    }

    @Test
    void pushFromTheSourceLu() {
        oneTarget();
        byte[] want = range(a, 0, 64 * 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 64, 0, 100).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 100 * 512, 64 * 512)).isEqualTo(want);
        assertThat(f.copy.stats().snapshot().bytesOffloaded()).isEqualTo(64 * 512);
    }

    @Test
    void pullByTheDestinationLuUsingSelfIndex() {
        oneTarget();
        byte[] want = range(a, 512, 10 * 512);
        ScsiResult r = f.xcopy(t1, 1, new CopyFixture.Params().cscd(a).b2b(0, 0xFFFF, 10, 1, 7).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 7 * 512, 10 * 512)).isEqualTo(want);
    }

    @Test
    void thirdPartyCopyBetweenTwoOtherLus() {
        oneTarget();
        byte[] want = range(b, 0, 4096 * 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(b).cscd(c).b2b(0, 1, 4096, 0, 0).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(heap(c).bytes()).isEqualTo(want);
        assertThat(range(a, 0, 16)).isEqualTo(range(a, 0, 16)); // untouched receiver
    }

    @Test
    void libiscsiSimpleSameLuStartToEnd() {
        oneTarget();
        byte[] want = range(a, 0, 2048 * 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).b2b(0, 0, 2048, 0, 4096 - 2048)
                .listId(1, ParameterList.USAGE_NO_HOLD).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(a, 2048 * 512, 2048 * 512)).isEqualTo(want);
    }

    @Test
    void overlappingForwardAndBackwardBehaveLikeMemmove() {
        oneTarget();
        for (long[] q : new long[][] {{0, 3}, {40, 1}, {10, 10 + 9}, {10, 10 - 9}}) {
            CopyFixture.fill(a, q[0] * 31 + q[1]);
            byte[] before = heap(a).bytes().clone();
            int blocks = 100; // 51200 bytes: many 4 KiB engine chunks
            ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).b2b(0, 0, blocks, q[0], q[1]).build());
            assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
            byte[] expect = before.clone();
            System.arraycopy(before, (int) q[0] * 512, expect, (int) q[1] * 512, blocks * 512);
            assertThat(heap(a).bytes()).as("from %d to %d", q[0], q[1]).isEqualTo(expect);
        }
    }

    @Test
    void differentBlockSizesExactAndInexact() {
        LogicalUnit big = lu("big", 4096, 512, 9);
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false), new LunMapping(1, big, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        CopyFixture.fill(a, 5);
        // 16 source blocks of 512 = 2 destination blocks of 4096
        byte[] want = range(a, 512 * 8, 16 * 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(big).b2b(0, 1, 16, 8, 3).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(big, 3 * 4096, 16 * 512)).isEqualTo(want);
        // DC=1: 16 destination blocks of 512 = 2 source blocks of 4096
        CopyFixture.fill(big, 6);
        want = range(big, 0, 2 * 4096);
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(big).cscd(a).b2b(true, 0, 1, 16, 0, 100).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(a, 100 * 512, 2 * 4096)).isEqualTo(want);
        // 3 blocks of 512 do not fill whole 4096 blocks
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(big).b2b(0, 0, 1, 0, 1).b2b(0, 1, 3, 0, 0).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x26, 0x0A);
        assertThat(r.sense().commandSpecific()).isEqualTo(1);
    }

    @Test
    void multipleSegmentsInOrderIncludingByteOffsetsAndVerify() {
        oneTarget();
        byte[] verify = new byte[12];
        verify[0] = 0x07;
        verify[3] = 0x08;
        verify[5] = 0x01;
        byte[] aBefore = heap(a).bytes().clone();
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b)
                .b2b(0, 1, 4, 0, 0)              // a[0..4) -> b[0..4)
                .segment(verify)
                .b2b(1, 1, 2, 0, 10)             // then b[0..2) -> b[10..12): sees segment 0's result
                .bytes(0, 1, 700, 20, 3, 30, 5)  // 700 bytes from a@20*512+3 to b@30*512+5
                .build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 0, 4 * 512)).isEqualTo(Arrays.copyOfRange(aBefore, 0, 4 * 512));
        assertThat(range(b, 10 * 512, 2 * 512)).isEqualTo(Arrays.copyOfRange(aBefore, 0, 2 * 512));
        assertThat(range(b, 30 * 512 + 5, 700)).isEqualTo(Arrays.copyOfRange(aBefore, 20 * 512 + 3, 20 * 512 + 703));
    }

    @Test
    void paddedDesignatorLengthNamesNoLu() {
        // SPC-4 6.4.5.6 / 7.8.6: DESIGNATOR LENGTH is part of the designator; 20 is not the NAA's 16
        oneTarget();
        byte[] before = range(b, 0, 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a.naa(), 20, 0).cscd(b.naa(), 20, 512)
                .b2b(0, 1, 1, 0, 0).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(range(b, 0, 512)).isEqualTo(before);
    }

    @Test
    void wrongDiskBlockLengthIsIncorrectDeviceType() {
        oneTarget();
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a.naa(), 16, 4096).b2b(0, 0, 1, 0, 1).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x03);
    }

    @Test
    void crossTargetWithInitiatorPolicyButNotWithPortPolicy() {
        Target t2 = target("iqn.t2", 2, map(new LunMapping(0, b, false)), CopyAccessPolicy.INITIATOR);
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false)), CopyAccessPolicy.INITIATOR);
        f.targets(t1, t2);
        CopyFixture.fill(a, 11);
        byte[] want = range(a, 0, 512 * 8);
        byte[] params = new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 8, 0, 0).build();
        assertThat(f.xcopy(t1, 0, params).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 0, 512 * 8)).isEqualTo(want);

        Target t1port = target("iqn.t1", 1, map(new LunMapping(0, a, false)), CopyAccessPolicy.PORT);
        f.targets(t1port, t2);
        ScsiResult r = f.xcopy(t1port, 0, params);
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(r.sense().commandSpecific()).isEqualTo(0);
    }

    @Test
    void aTargetTheFabricsReachabilityRuleRefusesIsUnreachableThoughItsAclAdmitsTheName() {
        CopyFixture.fill(a, 12);
        byte[] params = new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 8, 0, 0).build();
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false)), CopyAccessPolicy.INITIATOR);
        // t2 maps b to the same initiator name; t3 admits only someone else
        Target t2 = target("iqn.t2", 2, map(new LunMapping(0, b, false)), CopyAccessPolicy.INITIATOR);
        Target t3 = new Target("iqn.t3", List.of(io.xtarget.iscsi.IscsiPorts.targetPort("iqn.t3", 1, 3, 3, "x")),
                null, java.util.Map.of("iqn.someone-else", map(new LunMapping(0, c, false))),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1, t2, t3);
        List<String> asked = new ArrayList<>();
        f.copyReachability = (nexus, other) -> {
            asked.add(other.name());
            return !other.name().equals("iqn.t2"); // e.g. t2 demands CHAP secrets this session never proved
        };
        assertSense(f.xcopy(t1, 0, params).sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(range(b, 0, 512 * 8)).isEqualTo(new byte[512 * 8]);
        assertThat(asked).as("asked only about targets whose ACL admits the name").containsOnly("iqn.t1", "iqn.t2");

        // the rule admits t2 (the session proved what t2 demands): b is reachable
        f.copyReachability = io.xtarget.scsi.CopyReachability.BY_ACL;
        assertThat(f.xcopy(t1, 0, params).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 0, 512 * 8)).isEqualTo(range(a, 0, 512 * 8));
    }

    @Test
    void aCscdMayNameTheLuByItsEui64Designator() {
        oneTarget();
        byte[] eui = b.designators().get(2).value();
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[4] = 0x01; // binary
        d[5] = 0x02; // association LU, type EUI-64
        d[7] = 12; // longer than the 8-byte designator: a different designator (SPC-4 7.8.6)
        System.arraycopy(eui, 0, d, 8, 8);
        d[30] = 0x02; // disk block length 512
        byte[] want = range(a, 0, 16 * 512);
        byte[] before = range(b, 0, 16 * 512);
        ScsiResult padded = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).raw(d.clone()).b2b(0, 1, 16, 0, 0).build());
        assertSense(padded.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(range(b, 0, 16 * 512)).isEqualTo(before);
        d[7] = 8;
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).raw(d).b2b(0, 1, 16, 0, 0).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 0, 16 * 512)).isEqualTo(want);
    }

    @Test
    void cve202028374UnmappedLuWithKnownNaaIsUnreachable() {
        LogicalUnit secret = lu("secret", 512, 4096, 77);
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false)), CopyAccessPolicy.INITIATOR);
        // another target exports the secret LU, but only to some other initiator
        Target other = new Target("iqn.other", List.of(io.xtarget.iscsi.IscsiPorts.targetPort("iqn.other", 1, 5, 1, "x")),
                null, java.util.Map.of("iqn.someone-else", map(new LunMapping(0, secret, false))),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1, other);
        CopyFixture.fill(secret, 99);
        byte[] secretBefore = heap(secret).bytes().clone();
        byte[] aBefore = heap(a).bytes().clone();
        // read the secret into a LU we own
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(secret).cscd(a).b2b(0, 1, 8, 0, 0).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(heap(a).bytes()).isEqualTo(aBefore);
        // overwrite the secret from a LU we own
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(secret).b2b(0, 1, 8, 0, 0).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(heap(secret).bytes()).isEqualTo(secretBefore);
        // reported exactly like a designator nobody has
        ScsiResult unknown = f.xcopy(t1, 0, new CopyFixture.Params().cscd(lu("x", 512, 8, 1234)).cscd(a)
                .b2b(0, 1, 8, 0, 0).build());
        assertThat(unknown.sense()).isEqualTo(r.sense());
    }

    @Test
    void readOnlyDestinationIsWriteProtectedButCanBeASource() {
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, true), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        CopyFixture.fill(a, 3);
        byte[] aBefore = heap(a).bytes().clone();
        // reachable, but only read-only: DATA PROTECT / WRITE PROTECTED, as a WRITE through it gets
        ScsiResult r = f.xcopy(t1, 1, new CopyFixture.Params().cscd(b).cscd(a).b2b(0, 1, 1, 0, 0).build());
        assertSense(r.sense(), SenseKey.DATA_PROTECT, 0x27, 0x00);
        assertThat(r.sense().commandSpecific()).as("failing segment").isZero();
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(b).b2b(0, 0xFFFF, 1, 0, 0).build()); // self, read-only
        assertSense(r.sense(), SenseKey.DATA_PROTECT, 0x27, 0x00);
        assertThat(heap(a).bytes()).isEqualTo(aBefore);
        // PUSH received by the read-only-mapped source LU is fine
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 1, 0, 0).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(b, 0, 512)).isEqualTo(Arrays.copyOfRange(aBefore, 0, 512));
    }

    @Test
    void destinationReachedReadOnlyAndReadWriteIsWrittenThroughTheWritableMapping() {
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, true), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        Target t2 = target("iqn.t2", 2, map(new LunMapping(0, a, false)), CopyAccessPolicy.INITIATOR);
        f.targets(t1, t2);
        CopyFixture.fill(b, 4);
        ScsiResult r = f.xcopy(t1, 1, new CopyFixture.Params().cscd(b).cscd(a).b2b(0, 1, 1, 0, 0).build());
        assertThat(r.status()).as("%s", r.sense()).isEqualTo(ScsiStatus.GOOD);
        assertThat(range(a, 0, 512)).isEqualTo(range(b, 0, 512));
    }

    @Test
    void destinationTheInitiatorCannotReachStaysNotReachable() {
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, true)), CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(c).b2b(0, 1, 1, 0, 0).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
    }

    @Test
    void reservationOnSourceOrDestinationConflicts() throws Exception {
        oneTarget();
        io.xtarget.scsi.Nexus otherHost = io.xtarget.iscsi.IscsiPorts.nexus("iqn.other-host", 9, t1.ports().get(0));
        assertThat(c.reservations().reserve(otherHost)).isTrue();
        byte[] cBefore = heap(c).bytes().clone();
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(c).b2b(0, 1, 1, 0, 0).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(c).cscd(a).b2b(0, 1, 1, 0, 0).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(heap(c).bytes()).isEqualTo(cBefore);
        // our own reservation does not conflict
        c.reservations().reset();
        assertThat(c.reservations().reserve(f.nexus(t1, 1))).isTrue();
        assertThat(f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(c).b2b(0, 1, 1, 0, 0).build()).status())
                .isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void libiscsiValidSegDescrCases() {
        oneTarget();
        // destination CSCD index 1 with one CSCD
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).b2b(0, 1, 2048, 0, 2048).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        // beyond the end of the destination
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).b2b(0, 0, 2048, 0, 4096 - 1).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        // beyond the end in segment 2: nothing is written by segment 0 or 1
        byte[] bBefore = heap(b).bytes().clone();
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 1, 0, 0).b2b(0, 1, 1, 1, 1)
                .b2b(0, 1, 1, 0, 4096).build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(r.sense().commandSpecific()).isEqualTo(2);
        assertThat(heap(b).bytes()).isEqualTo(bBefore);
        // huge LBA: no overflow into a valid offset
        r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b).bytes(0, 1, 10, Long.MAX_VALUE / 256, 0, 0, 0)
                .build());
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
    }

    @Test
    void parameterListLengthZeroIsGoodAndShortDataIsLengthError() {
        oneTarget();
        assertThat(f.core.execute(f.task(t1, 1, 0, CopyFixture.xcopyCdb(0), null)).status())
                .isEqualTo(ScsiStatus.GOOD);
        byte[] p = new CopyFixture.Params().cscd(a).b2b(0, 0, 1, 0, 1).build();
        ScsiResult r = f.core.execute(f.task(t1, 1, 0, CopyFixture.xcopyCdb(p.length + 10), p));
        assertSense(r.sense(), SenseKey.ILLEGAL_REQUEST, 0x1A, 0x00);
    }

    @Test
    void backendFailureMidCopyIsCopyAbortedWithTheFailingSegment() {
        oneTarget();
        heap(b).failFrom(200 * 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 8, 0, 0)
                .b2b(0, 1, 400, 0, 0).build());
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x01);
        assertThat(r.sense().commandSpecific()).isEqualTo(1);
        assertThat(f.copy.stats().snapshot().failures()).isEqualTo(1);
    }

    @Test
    void abortMidCopyStopsAndReportsProgress() throws Exception {
        GateStore gate = new GateStore(512, 4096);
        new java.util.Random(8).nextBytes(gate.heap.bytes());
        LogicalUnit src = new LogicalUnit("gate", gate, a.naa().clone(), "g", false);
        byte[] naa = src.naa();
        t1 = target("iqn.t1", 1, map(new LunMapping(0, src, false), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        byte[] bBefore = heap(b).bytes().clone();
        byte[] p = new CopyFixture.Params().listId(4, 0).cscd(naa, 16, 512).cscd(b).b2b(0, 1, 4096, 0, 0).build();
        ScsiTask task = f.task(t1, 1, 0, CopyFixture.xcopyCdb(p.length), p);
        CompletableFuture<ScsiResult> run = CompletableFuture.supplyAsync(() -> f.core.execute(task));
        gate.entered.await();
        task.tryAbort(io.xtarget.scsi.AbortOutcome.SILENT);
        gate.release.countDown();
        ScsiResult r = run.get();
        assertThat(r.status()).isEqualTo(ScsiStatus.TASK_ABORTED);
        assertThat(heap(b).bytes()).isNotEqualTo(gate.heap.bytes()); // not all copied
        // COPY STATUS shows how far it got: failed, 0 segments done, fewer bytes than asked
        byte[] st = CopyFixture.bytes(f.rcr(t1, 0, 0x00, 4));
        assertThat(st[4]).isEqualTo((byte) 0x02);
        assertThat(((st[5] & 0xFF) << 8) | (st[6] & 0xFF)).isZero();
        long count = ((st[8] & 0xFFL) << 24) | ((st[9] & 0xFF) << 16) | ((st[10] & 0xFF) << 8) | (st[11] & 0xFF);
        assertThat(count).isLessThan(4096 * 512);
        assertThat(bBefore).isNotNull();
    }

    @Test
    void engineShutdownStopsARunningCopy() throws Exception {
        GateStore gate = new GateStore(512, 4096);
        LogicalUnit src = new LogicalUnit("gate", gate, a.naa(), "g", false);
        t1 = target("iqn.t1", 1, map(new LunMapping(0, src, false), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        byte[] p = new CopyFixture.Params().cscd(src).cscd(b).b2b(0, 1, 4096, 0, 0).build();
        CompletableFuture<ScsiResult> run = CompletableFuture.supplyAsync(() -> f.xcopy(t1, 0, p));
        gate.entered.await();
        f.copy.close();
        gate.release.countDown();
        ScsiResult r = run.get();
        assertSense(r.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x01);
        // a closed engine takes no new copies
        assertSense(f.xcopy(t1, 0, p).sense(), SenseKey.ILLEGAL_REQUEST, 0x55, 0x03);
    }

    @Test
    void sixteenConcurrentCopies() throws Exception {
        List<LunMapping> maps = new ArrayList<>();
        List<LogicalUnit> sources = new ArrayList<>();
        List<LogicalUnit> dests = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            LogicalUnit s = lu("s" + i, 512, 256, 100 + i);
            LogicalUnit d = lu("d" + i, 512, 256, 200 + i);
            CopyFixture.fill(s, i);
            sources.add(s);
            dests.add(d);
            maps.add(new LunMapping(2 * i, s, false));
            maps.add(new LunMapping(2 * i + 1, d, false));
        }
        t1 = target("iqn.t1", 1, io.xtarget.scsi.LunMap.of(maps), CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        CyclicBarrier start = new CyclicBarrier(16);
        List<CompletableFuture<ScsiResult>> runs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            int k = i;
            runs.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                byte[] p = new CopyFixture.Params().listId(k, 0).cscd(sources.get(k)).cscd(dests.get(k))
                        .b2b(0, 1, 256, 0, 0).build();
                return f.core.execute(f.task(t1, 1, 2 * k, CopyFixture.xcopyCdb(p.length), p));
            }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
        }
        for (int i = 0; i < 16; i++) {
            assertThat(runs.get(i).get().status()).isEqualTo(ScsiStatus.GOOD);
            assertThat(heap(dests.get(i)).bytes()).isEqualTo(heap(sources.get(i)).bytes());
        }
        assertThat(f.copy.stats().snapshot().succeeded()).isEqualTo(16);
    }

    @Test
    void heapStoreHasNoFastPathSoTheFallbackIsExercised() throws Exception {
        assertThat(new HeapStore(512, 1).copyTo(0, new HeapStore(512, 1), 0, 512)).isEqualTo(-1);
    }
}
