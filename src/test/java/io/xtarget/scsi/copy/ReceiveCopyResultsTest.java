package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.heap;
import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.CopyFixture.map;
import static io.xtarget.scsi.copy.CopyFixture.target;
import static io.xtarget.scsi.copy.ParameterListParserTest.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.Target;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ReceiveCopyResultsTest {
    private final CopyFixture f = new CopyFixture();
    private final LogicalUnit a = lu("a", 512, 4096, 1);
    private final LogicalUnit b = lu("b", 512, 4096, 2);
    private final Target t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false), new LunMapping(1, b, false)),
            CopyAccessPolicy.INITIATOR);

    ReceiveCopyResultsTest() {
        f.targets(t1);
        CopyFixture.fill(a, 1);
    }

    private static String hex(ScsiResult r) {
        return HexFormat.of().formatHex(CopyFixture.bytes(r));
    }

    @Test
    void operatingParametersExactBytes() {
        ScsiResult r = f.rcr(t1, 0, 0x03, 0);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(r)).isEqualTo("0000002c" + "01000000" + "0040" + "0100" + "00004000" + "40000000"
                + "00000000" + "00000000" + "00000000" + "0000" + "0020" + "20" + "00" + "00" + "00"
                + "000000" + "04" + "02070ae4");
    }

    @Test
    void operatingParametersCutToAllocationLength() {
        ScsiResult r = f.core.execute(f.task(t1, 1, 0, CopyFixture.rcrCdb(0x03, 0, 10), null));
        assertThat(CopyFixture.bytes(r)).hasSize(10);
    }

    @Test
    void thirdPartyCopyVpdExactBytes() throws Exception {
        byte[] page = f.table.vpdPage(0x8F).build(f.task(t1, 1, 0, Cdb.of(0x12, 1, 0x8F), null));
        assertThat(HexFormat.of().formatHex(page)).isEqualTo("008f0178"
                + "00000020" + "000000000000" + "0040" + "00000258" + "0000003c" // block device ROD token limits:
                + "0000000000080000" + "0000000000020000"                    // 256 MiB max, 64 MiB optimal (512)
                + "00010010" + "0e" + "830400" + "10111c" + "840600" + "0304050708" + "00" // supported commands
                + "0004001c" + "00000000" + "0040" + "0100" + "00004000" + "00000000" + "000000000000000000000000"
                + "00080008" + "04" + "02070ae4" + "000000"                   // supported descriptors
                + "000c0004" + "0002ffff"                                      // supported CSCD IDs
                + "0106005c" + "00" + "0000000000000000000000" + "00000001" + "ffffffff" + "00000258"
                + "000000000000000000000000000000000000" + "0030"              // ROD token features, then the
                + "0000002c" + "00000000" + "0000000010000000" + "0000000004000000" // block device part
                + "0000000010000000" + "0000000004000000" + "0000000000000000"
                + "01080084" + "0000" + "0080"                                  // supported ROD types:
                + "00010000" + "03" + "00" + "0000" + "00".repeat(56)           // access upon reference
                + "ffff0001" + "02" + "00" + "0000" + "00".repeat(56)           // block device zero ROD token
                + "80010020" + "00000020" + "00000020" + "40000000" + "00" + "00"
                + "000000000000000000000000000000000000");                    // general copy operations
    }

    @Test
    void noCopyYetIsInvalidFieldInCdb() {
        ScsiResult r = f.rcr(t1, 0, 0x00, 1);
        assertSense(r.sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
        assertThat(r.sense().senseKeySpecific()).isEqualTo(0xC00002);
        assertSense(f.rcr(t1, 0, 0x04, 1).sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void copyStatusAfterSuccess() {
        ScsiResult x = f.xcopy(t1, 0, new CopyFixture.Params().listId(1, 0).cscd(a).cscd(b).b2b(0, 1, 8, 0, 0)
                .b2b(0, 1, 8, 8, 8).build());
        assertThat(x.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(f.rcr(t1, 0, 0x00, 1))).isEqualTo("00000008" + "01" + "0002" + "00" + "00002000");
        assertThat(hex(f.rcr(t1, 0, 0x04, 1))).isEqualTo("00000000");
        // another I_T nexus does not see it
        ScsiResult other = f.core.execute(f.task(t1, 2, 0, CopyFixture.rcrCdb(0x00, 1, 1024), null));
        assertSense(other.sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void failedSegmentDetailsAfterFailure() {
        ScsiResult x = f.xcopy(t1, 0, new CopyFixture.Params().listId(9, 0).cscd(a).cscd(b).b2b(0, 1, 8, 0, 0)
                .b2b(0, 1, 8, 0, 4095).build());
        assertSense(x.sense(), SenseKey.COPY_ABORTED, 0x0D, 0x02);
        assertThat(hex(f.rcr(t1, 0, 0x00, 9))).isEqualTo("00000008" + "02" + "0000" + "00" + "00000000");
        byte[] d = CopyFixture.bytes(f.rcr(t1, 0, 0x04, 9));
        assertThat(d).hasSize(60 + 18);
        assertThat(HexFormat.of().formatHex(d, 0, 4)).isEqualTo("0000004a");
        assertThat(d[56]).isEqualTo((byte) 0x02); // CHECK CONDITION
        assertThat(HexFormat.of().formatHex(d, 58, 60)).isEqualTo("0012");
        assertThat(Arrays.copyOfRange(d, 60, 78)).isEqualTo(x.sense().fixed());
        assertThat(x.sense().commandSpecific()).isEqualTo(1);
    }

    @Test
    void noHoldAndNoListIdCopiesAreNotHeld() {
        assertThat(f.xcopy(t1, 0, new CopyFixture.Params().listId(3, ParameterList.USAGE_NO_HOLD).cscd(a).cscd(b)
                .b2b(0, 1, 1, 0, 0).build()).status()).isEqualTo(ScsiStatus.GOOD);
        assertSense(f.rcr(t1, 0, 0x00, 3).sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
        assertThat(f.xcopy(t1, 0, new CopyFixture.Params().listId(0, ParameterList.USAGE_NO_LIST_ID).cscd(a).cscd(b)
                .b2b(0, 1, 1, 0, 0).build()).status()).isEqualTo(ScsiStatus.GOOD);
        assertSense(f.rcr(t1, 0, 0x00, 0).sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void nexusLossDiscardsHeldResults() {
        f.xcopy(t1, 0, new CopyFixture.Params().listId(5, 0).cscd(a).cscd(b).b2b(0, 1, 1, 0, 0).build());
        assertThat(f.rcr(t1, 0, 0x00, 5).status()).isEqualTo(ScsiStatus.GOOD);
        f.copy.nexusLost(f.nexus(t1, 1));
        assertSense(f.rcr(t1, 0, 0x00, 5).sense(), SenseKey.ILLEGAL_REQUEST, 0x24, 0x00);
    }

    @Test
    void duplicateListIdOfARunningCopyIsOperationInProgress() throws Exception {
        GateStore gate = new GateStore(512, 4096);
        new java.util.Random(3).nextBytes(gate.heap.bytes());
        byte[] naa = lu("n", 512, 1, 55).naa();
        LogicalUnit src = new LogicalUnit("gate", gate, naa, "g", false);
        Target t = target("iqn.t1", 1, map(new LunMapping(0, src, false), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t);
        byte[] p = new CopyFixture.Params().listId(7, 0).cscd(src).cscd(b).b2b(0, 1, 64, 0, 0).build();
        CompletableFuture<ScsiResult> run = CompletableFuture.supplyAsync(() -> f.xcopy(t, 0, p));
        gate.entered.await();
        // while it runs: COPY STATUS says in progress, the same list id is refused on this nexus...
        assertThat(CopyFixture.bytes(f.rcr(t, 0, 0x00, 7))[4]).isEqualTo((byte) 0x00);
        ScsiResult dup = f.xcopy(t, 1, p);
        assertSense(dup.sense(), SenseKey.ILLEGAL_REQUEST, 0x00, 0x16);
        // ...but accepted on another nexus (list identifiers are per I_T nexus)
        byte[] small = new CopyFixture.Params().listId(7, 0).cscd(b).b2b(0, 0, 1, 100, 200).build();
        assertThat(f.core.execute(f.task(t, 2, 1, CopyFixture.xcopyCdb(small.length), small)).status())
                .isEqualTo(ScsiStatus.GOOD);
        gate.release.countDown();
        assertThat(run.get().status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(Arrays.copyOf(heap(b).bytes(), 64 * 512)).isEqualTo(Arrays.copyOf(gate.heap.bytes(), 64 * 512));
        assertThat(hex(f.rcr(t, 0, 0x00, 7))).isEqualTo("00000008" + "01" + "0001" + "00" + "00008000");
        // finished: the id may be reused
        assertThat(f.xcopy(t, 1, p).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void registersRowsAndVpdPage() {
        assertThat(f.table.get(0x83, 0x00).name()).isEqualTo("EXTENDED COPY(LID1)");
        assertThat(f.table.get(0x84, 0x00)).isNotNull();
        assertThat(f.table.get(0x84, 0x03)).isNotNull();
        assertThat(f.table.get(0x84, 0x04)).isNotNull();
        assertThat(f.table.get(0x84, 0x01)).isNull();
        assertThat(f.table.vpdCodes()).contains(0x8F);
    }
}
