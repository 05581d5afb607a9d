package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.CopyFixture.map;
import static io.xtarget.scsi.copy.CopyFixture.target;
import static io.xtarget.scsi.copy.ParameterListParserTest.assertSense;
import static io.xtarget.scsi.copy.TokenLists.range;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Token commands as a hostile or careless initiator sends them (adversarial review). */
class TokenAdversaryTest {
    CopyFixture f;
    final LogicalUnit a = lu("a", 512, 8192, 1);
    final LogicalUnit b = lu("b", 512, 8192, 2);
    Target t1;

    @BeforeEach
    void setUp() {
        f = new CopyFixture(new CopyCommandSet(CopyLimits.DEFAULT, new CopyEngine(4096, 64 * 4096), TokenLimits.DEFAULT));
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false), new LunMapping(1, b, false)), CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        CopyFixture.fill(a, 1);
    }

    @AfterEach
    void close() {
        f.copy.close();
    }

    ScsiResult run(int lun, io.xtarget.scsi.Cdb cdb, byte[] out) {
        return f.core.execute(f.task(t1, 1, lun, cdb, out));
    }

    static long[][] ranges(int n) {
        long[][] r = new long[n][];
        for (int i = 0; i < n; i++) {
            r[i] = range(2L * i, 1);
        }
        return r;
    }

    /**
     * A well-formed list of 65 block device range descriptors, one more than VPD 8Fh's MAXIMUM RANGE
     * DESCRIPTORS (64): SBC-3 (POPULATE TOKEN and WRITE USING TOKEN: "If the number of block device
     * range descriptors exceeds the MAXIMUM RANGE DESCRIPTORS ...") wants ILLEGAL REQUEST / TOO MANY
     * SEGMENT DESCRIPTORS (26h/08h). The PARAMETER LIST LENGTH in the CDB is exactly right (16 + 65 x
     * 16 bytes; 536 + 65 x 16): it is not an invalid CDB field.
     */
    @Test
    void sixtyFiveRangesAreTooManySegmentDescriptors() {
        byte[] list = TokenLists.populateList(ranges(65));
        assertSense(run(0, TokenLists.populate(1, list.length), list).sense(), SenseKey.ILLEGAL_REQUEST, 0x26, 0x08);
        byte[] write = TokenLists.writeList(TokenLists.zeroToken(), ranges(65));
        assertSense(run(1, TokenLists.writeUsingToken(2, write.length), write).sense(), SenseKey.ILLEGAL_REQUEST, 0x26,
                0x08);
    }
}
