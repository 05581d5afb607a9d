package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Capacity, cache, unit control, VPD pages and the rows the set registers. */
class SbcDeviceTest {

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readCapacity10ReportsLastLbaAndBlockSize(int bs) {
        SbcRig rig = new SbcRig(bs, 100);
        ScsiResult r = rig.run(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertGood(r);
        assertThat(data(r)).containsExactly(0, 0, 0, 99, 0, 0, bs >>> 8, 0);
        assertSense(rig.run(0x25, 0, 0, 0, 0, 1, 0, 0, 0, 0), Sense.invalidFieldInCdb(2, -1)); // LBA without PMI
        assertGood(rig.run(0x25, 0, 0, 0, 0, 1, 0, 0, 1, 0));
    }

    @Test
    void readCapacity10SaturatesWhenTheLastLbaNeeds64Bits() {
        SbcRig rig = SbcRig.over(new SparseStore(512, 0x1_0000_0001L * 512));
        assertThat(data(rig.run(0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0))).containsExactly(0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 2, 0);
        assertThat(data(rig.run(readCapacity16(32)))).startsWith(0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 2, 0);
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readCapacity16ReportsThinProvisioningAndHonoursAllocationLength(int bs) {
        SbcRig rig = new SbcRig(bs, 100);
        byte[] full = data(rig.run(readCapacity16(32)));
        byte[] expected = new byte[32];
        expected[7] = 99;
        ByteBuffer.wrap(expected).putInt(8, bs);
        expected[14] = (byte) 0xC0; // LBPME, LBPRZ
        assertThat(full).isEqualTo(expected);
        for (int alloc = 0; alloc < 16; alloc++) {
            ScsiResult r = rig.run(readCapacity16(alloc));
            assertGood(r);
            assertThat(r.dataLength()).isEqualTo(alloc);
        }
        assertThat(data(rig.run(readCapacity16(200)))).hasSize(32);
    }

    @Test
    void synchronizeCacheFlushesAndChecksItsRange() {
        SbcRig rig = new SbcRig(512, 64);
        assertGood(rig.run(cdb10(0x35, 0, 0, 0)));
        assertGood(rig.run(cdb16(0x91, 0x02, 60, 4))); // IMMED accepted
        assertGood(rig.run(cdb10(0x35, 0, 64, 0))); // nothing left to the end: still fine
        assertThat(rig.store.flushes).isEqualTo(3);
        assertSense(rig.run(cdb10(0x35, 0, 65, 0)), Sense.lbaOutOfRange());
        assertSense(rig.run(cdb16(0x91, 0, 60, 5)), Sense.lbaOutOfRange());
        assertThat(rig.store.flushes).isEqualTo(3);
    }

    @Test
    void preFetchAnswersConditionMetForBlocksItRead() {
        SbcRig rig = new SbcRig(512, 300);
        assertThat(rig.run(cdb10(0x34, 0, 0, 256)).status()).isEqualTo(ScsiStatus.CONDITION_MET);
        assertThat(rig.run(cdb16(0x90, 0x02, 44, 256)).status()).isEqualTo(ScsiStatus.CONDITION_MET);
        assertThat(rig.run(cdb10(0x34, 0, 0, 0)).status()).isEqualTo(ScsiStatus.CONDITION_MET); // to the end
        assertGood(rig.run(cdb10(0x34, 0, 300, 0))); // empty range
        assertSense(rig.run(cdb10(0x34, 0, 301, 0)), Sense.lbaOutOfRange());
        assertSense(rig.run(cdb10(0x34, 0, 299, 2)), Sense.lbaOutOfRange());
        assertSense(rig.run(cdb16(0x90, 0, -1L, 1)), Sense.lbaOutOfRange());
        rig.heap.failFrom(100 * 512);
        assertSense(rig.run(cdb10(0x34, 0, 99, 2)), Sense.unrecoveredReadError());
    }

    @Test
    void preFetchLargerThanTheCacheIsGood() {
        SbcRig rig = SbcRig.over(new SparseStore(512, 1L << 32));
        assertGood(rig.run(cdb16(0x90, 0, 0, 0x100000)));
    }

    @Test
    void startStopUnitOnANonRemovableDisk() {
        SbcRig rig = new SbcRig(512, 8);
        assertGood(rig.run(0x1B, 0, 0, 0, 0x01, 0)); // START
        assertGood(rig.run(0x1B, 1, 0, 0, 0x03, 0)); // load: the medium is always there
        assertThat(rig.store.flushes).isZero();
        assertGood(rig.run(0x1B, 0, 0, 0, 0x00, 0)); // STOP flushes first
        assertThat(rig.store.flushes).isEqualTo(1);
        assertGood(rig.run(0x1B, 0, 0, 0, 0x04, 0)); // STOP with NO_FLUSH
        assertThat(rig.store.flushes).isEqualTo(1);
        assertSense(rig.run(0x1B, 1, 0, 0, 0x02, 0), Sense.invalidFieldInCdb(4, 1)); // eject
        assertGood(rig.run(0x1B, 0, 0, 0, 0x32, 0)); // STANDBY: LOEJ ignored
        assertSense(rig.run(0x1B, 0, 0, 0, 0x50, 0), Sense.invalidFieldInCdb(4, 7)); // reserved power condition
    }

    @Test
    void preventAllowStoresTheStateAndBlocksEject() {
        SbcRig rig = new SbcRig(512, 8);
        assertGood(rig.run(0x1E, 0, 0, 0, 1, 0));
        assertThat(rig.lu.preventRemoval()).isTrue();
        assertSense(rig.run(0x1B, 0, 0, 0, 0x02, 0), Sense.illegal(0x53, 0x02));
        assertGood(rig.run(0x1E, 0, 0, 0, 0, 0));
        assertThat(rig.lu.preventRemoval()).isFalse();
        assertSense(rig.run(0x1E, 0, 0, 0, 2, 0), Sense.invalidFieldInCdb(4, 1));
        assertSense(rig.run(0x1E, 0, 0, 0, 3, 0), Sense.invalidFieldInCdb(4, 1));
        assertThat(rig.lu.preventRemoval()).isFalse();
    }

    @Test
    void blockLimitsPageFor512ByteBlocks() throws ScsiException {
        byte[] p = vpd(new SbcRig(512, 64), 0xB0);
        assertThat(p).hasSize(64);
        ByteBuffer b = ByteBuffer.wrap(p);
        assertThat(b.getInt(0)).isEqualTo(0x00B0003C);
        assertThat(p[4]).isEqualTo((byte) 0); // WSNZ=0: zero blocks means to the end of the medium
        assertThat(p[5] & 0xFF).isEqualTo(255); // MAXIMUM COMPARE AND WRITE LENGTH
        assertThat(b.getShort(6)).isEqualTo((short) 8); // OPTIMAL TRANSFER LENGTH GRANULARITY
        assertThat(b.getInt(8)).isEqualTo(65536); // MAXIMUM TRANSFER LENGTH: 32 MiB (ScsiLimits)
        assertThat(b.getInt(12)).isEqualTo(2048); // OPTIMAL TRANSFER LENGTH: 1 MiB
        assertThat(b.getInt(20)).isEqualTo(1 << 20); // MAXIMUM UNMAP LBA COUNT
        assertThat(b.getInt(24)).isEqualTo(4095); // MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT
        assertThat(b.getInt(28)).isEqualTo(8); // OPTIMAL UNMAP GRANULARITY
        assertThat(b.getInt(32)).isEqualTo(0x80000000); // UGAVALID
        assertThat(b.getLong(36)).isEqualTo(1 << 20); // MAXIMUM WRITE SAME LENGTH
    }

    @Test
    void blockLimitsPageFor4096ByteBlocks() throws ScsiException {
        ByteBuffer b = ByteBuffer.wrap(vpd(new SbcRig(4096, 64), 0xB0));
        assertThat(b.getShort(6)).isEqualTo((short) 1);
        assertThat(b.getInt(8)).isEqualTo(8192); // 32 MiB of 4 KiB blocks
        assertThat(b.getInt(20)).isEqualTo(1 << 18);
        assertThat(b.getLong(36)).isEqualTo(1 << 18);
    }

    @Test
    void blockDeviceCharacteristicsAndProvisioningPages() throws ScsiException {
        SbcRig rig = new SbcRig(512, 64);
        byte[] b1 = vpd(rig, 0xB1);
        byte[] expected = new byte[64];
        expected[1] = (byte) 0xB1;
        expected[3] = 0x3C;
        expected[5] = 1; // non-rotating
        assertThat(b1).isEqualTo(expected);
        assertThat(vpd(rig, 0xB2)).containsExactly(0, 0xB2, 0, 4, 0, 0xE4, 0x02, 0);
        assertThat(rig.core.opcodes().vpdCodes()).containsExactly(0xB0, 0xB1, 0xB2);
    }

    @Test
    void everyRowHasUsageDataAsLongAsItsCdb() {
        SbcRig rig = new SbcRig(512, 8);
        assertThat(rig.core.opcodes().all()).hasSize(30); // 28 + LOG SENSE + WRITE ATOMIC(16)
        for (CommandDescriptor d : rig.core.opcodes().all()) {
            assertThat(d.cdbUsage()).as(d.name()).hasSize(d.opcode() == 0x89 ? 16 : Cdb.standardLength(d.opcode()));
            assertThat(d.cdbUsage()[0] & 0xFF).as(d.name()).isEqualTo(d.opcode());
        }
        assertThat(rig.core.opcodes().get(0x28).cdbUsage()[1] & 0x18).isEqualTo(0x18); // DPO/FUA honoured
        assertThat(rig.core.opcodes().get(0x89).cdbUsage()[1] & 0x18).isEqualTo(0x18);
        assertThat(rig.core.opcodes().get(0x2A).access()).isEqualTo(MediumAccess.WRITE);
        assertThat(rig.core.opcodes().get(0x42).access()).isEqualTo(MediumAccess.WRITE);
        assertThat(rig.core.opcodes().get(0x28).access()).isEqualTo(MediumAccess.READ);
        assertThat(rig.core.opcodes().get(0x9E, 0x10).access()).isEqualTo(MediumAccess.NONE);
        assertThat(rig.core.opcodes().get(0x9E, 0x12)).isNotNull();
        assertSense(rig.run(0x9E, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0), Sense.invalidFieldInCdb(1, 4));
    }

    @Test
    void descriptorSenseCarriesTheMiscompareOffset() {
        SbcRig rig = new SbcRig(512, 8);
        rig.lu.mode().descriptorSense = true;
        ScsiResult r = rig.run(filled(512, 1), cdb10(0x2F, 0x02, 0, 1));
        ScsiTask t = new ScsiTask(rig.core, rig.nexus, rig.luns, 0, Cdb.of(0), null, 0);
        byte[] s = t.encodeSense(r.sense());
        assertThat(s).startsWith(0x72, 0x0E, 0x1D, 0x00, 0, 0, 0, 12, 0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    static int[] readCapacity16(int alloc) {
        return cdb16(0x9E, 0x10, 0, alloc);
    }

    static byte[] vpd(SbcRig rig, int code) throws ScsiException {
        ScsiTask t = new ScsiTask(rig.core, rig.nexus, rig.luns, 0, Cdb.of(0x12, 1, code, 0, 255, 0), null, 0);
        return rig.core.opcodes().vpdPage(code).build(t);
    }
}
