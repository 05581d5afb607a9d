package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CommandDescriptor;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.ScsiException;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** WRITE ATOMIC(16), SBC-4 5.48: each CDB field, its sense, and the limits VPD 0xB0 advertises. */
class WriteAtomicTest {

    /** WRITE ATOMIC(16): LBA 2..9, ATOMIC BOUNDARY 10..11, TRANSFER LENGTH 12..13. */
    static int[] writeAtomic(int byte1, long lba, int boundary, int blocks) {
        int[] c = cdb16(0x9C, byte1, lba, 0);
        c[10] = boundary >>> 8;
        c[11] = boundary & 0xFF;
        c[12] = blocks >>> 8;
        c[13] = blocks & 0xFF;
        return c;
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void writesTheBlocksAndPassesFuaDown(int bs) {
        SbcRig rig = new SbcRig(bs, 64);
        assertGood(rig.run(filled(4 * bs, 0xA6), writeAtomic(0x08, 8, 0, 4))); // FUA
        assertThat(Arrays.copyOfRange(rig.heap.bytes(), 8 * bs, 12 * bs)).isEqualTo(filled(4 * bs, 0xA6));
        assertThat(rig.heap.bytes()[8 * bs - 1]).isZero();
        assertThat(rig.heap.bytes()[12 * bs]).isZero();
        assertGood(rig.run(filled(bs, 0x11), writeAtomic(0x10, 63, 0, 1))); // DPO: nothing to do, last block
        assertThat(rig.store.fuas).containsExactly(true, false);
        assertThat(rig.heap.bytes()[64 * bs - 1]).isEqualTo((byte) 0x11);
    }

    @Test
    void zeroBlocksWriteNothingButTheLbaIsStillChecked() {
        SbcRig rig = new SbcRig(512, 64);
        assertGood(rig.run(writeAtomic(0, 0, 0, 0)));
        assertGood(rig.run(writeAtomic(0, 64, 0, 0))); // at the capacity: an empty range on the medium
        assertSense(rig.run(writeAtomic(0, 65, 0, 0)), Sense.lbaOutOfRange());
        assertSense(rig.run(writeAtomic(0, Long.MIN_VALUE, 0, 0)), Sense.lbaOutOfRange()); // 2^63
        assertSense(rig.run(writeAtomic(0, -1, 0, 0)), Sense.lbaOutOfRange());
        assertThat(rig.store.fuas).isEmpty();
    }

    @Test
    void everyInvalidFieldPointsAtItselfAndWritesNothing() {
        SbcRig rig = new SbcRig(512, 16384);
        byte[] one = filled(512, 1);
        for (int wrprotect = 1; wrprotect < 8; wrprotect++) {
            assertSense(rig.run(one, writeAtomic(wrprotect << 5, 0, 0, 1)), Sense.invalidFieldInCdb(1, 7));
        }
        // ATOMIC BOUNDARY: MAXIMUM ATOMIC BOUNDARY SIZE is 0, so only 0 is valid
        assertSense(rig.run(one, writeAtomic(0, 0, 1, 1)), Sense.invalidFieldInCdb(10, -1));
        // over MAXIMUM ATOMIC TRANSFER LENGTH (8192 blocks of 512 bytes: 4 MiB)
        byte[] tooMuch = new byte[8193 * 512];
        assertSense(rig.run(tooMuch, writeAtomic(0, 0, 0, 8193)), Sense.invalidFieldInCdb(12, -1));
        assertGood(rig.run(new byte[8192 * 512], writeAtomic(0, 0, 0, 8192)));
        // beyond the end of the medium
        assertSense(rig.run(filled(2 * 512, 1), writeAtomic(0, 16383, 0, 2)), Sense.lbaOutOfRange());
        assertSense(rig.run(one, writeAtomic(0, Long.MIN_VALUE, 0, 1)), Sense.lbaOutOfRange());
        // less data-out than TRANSFER LENGTH: part of an atomic write is not written
        assertSense(rig.run(filled(3 * 512, 1), writeAtomic(0, 0, 0, 4)), Sense.invalidFieldInCdb(12, -1));
        assertThat(rig.store.fuas).hasSize(1); // only the valid 8192-block write reached the store
        assertThat(rig.heap.bytes()[0]).isZero();
    }

    @Test
    void alignmentAndGranularityAreThePhysicalBlock() {
        SbcRig rig = new SbcRig(512, 1024, 4096); // 512e: 8 logical blocks per physical block
        byte[] eight = filled(8 * 512, 7);
        assertSense(rig.run(eight, writeAtomic(0, 1, 0, 8)), Sense.invalidFieldInCdb(2, -1)); // ATOMIC ALIGNMENT
        assertSense(rig.run(eight, writeAtomic(0, 4, 0, 8)), Sense.invalidFieldInCdb(2, -1));
        assertSense(rig.run(filled(512, 7), writeAtomic(0, 0, 0, 1)), Sense.invalidFieldInCdb(12, -1)); // GRANULARITY
        assertSense(rig.run(filled(12 * 512, 7), writeAtomic(0, 0, 0, 12)), Sense.invalidFieldInCdb(12, -1));
        assertThat(rig.store.fuas).isEmpty();
        assertGood(rig.run(eight, writeAtomic(0, 8, 0, 8)));
        assertGood(rig.run(filled(16 * 512, 7), writeAtomic(0, 1008, 0, 16))); // up to the last block
        assertSense(rig.run(filled(16 * 512, 7), writeAtomic(0, 1016, 0, 16)), Sense.lbaOutOfRange());
        assertThat(rig.heap.bytes()[8 * 512]).isEqualTo((byte) 7);
        assertThat(rig.heap.bytes()[8 * 512 - 1]).isZero();
    }

    @Test
    void aReadOnlyMappingRefusesItAsWriteProtected() {
        SbcRig rig = new SbcRig(512, 64);
        LunMap readOnly = LunMap.of(List.of(new LunMapping(0, rig.lu, true)));
        ScsiTask t = new ScsiTask(rig.core, rig.nexus, readOnly, 0, Cdb.of(writeAtomic(0, 0, 0, 1)),
                ByteBuffer.wrap(filled(512, 1)), 1);
        ScsiResult r = rig.core.execute(t);
        assertSense(r, Sense.writeProtected());
        assertThat(rig.store.fuas).isEmpty();
    }

    @Test
    void theRowIsAWriteThatHonoursDpoAndFua() {
        SbcRig rig = new SbcRig(512, 8);
        CommandDescriptor d = rig.core.opcodes().get(0x9C);
        assertThat(d.name()).isEqualTo("WRITE ATOMIC(16)");
        assertThat(d.access()).isEqualTo(MediumAccess.WRITE);
        assertThat(d.cdbUsage()).containsExactly(0x9C, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                0xFF, 0xFF, 0xFF, 0x1F, 0); // byte 14: GROUP NUMBER, accepted as for every SBC row
    }

    @Test
    void blockLimitsAdvertiseTheAtomicLimits() throws ScsiException {
        ByteBuffer n512 = ByteBuffer.wrap(SbcDeviceTest.vpd(new SbcRig(512, 64), 0xB0));
        assertThat(n512.getInt(44)).isEqualTo(8192); // MAXIMUM ATOMIC TRANSFER LENGTH: 4 MiB
        assertThat(n512.getInt(48)).isEqualTo(1); // ATOMIC ALIGNMENT
        assertThat(n512.getInt(52)).isEqualTo(1); // ATOMIC TRANSFER LENGTH GRANULARITY
        assertThat(n512.getInt(56)).isZero(); // MAXIMUM ATOMIC TRANSFER LENGTH WITH ATOMIC BOUNDARY
        assertThat(n512.getInt(60)).isZero(); // MAXIMUM ATOMIC BOUNDARY SIZE
        assertThat(n512.getInt(44)).isLessThanOrEqualTo(n512.getInt(8)); // within MAXIMUM TRANSFER LENGTH
        ByteBuffer n4k = ByteBuffer.wrap(SbcDeviceTest.vpd(new SbcRig(4096, 64), 0xB0));
        assertThat(n4k.getInt(44)).isEqualTo(1024);
        assertThat(n4k.getInt(48)).isEqualTo(1);
        ByteBuffer e512 = ByteBuffer.wrap(SbcDeviceTest.vpd(new SbcRig(512, 64, 4096), 0xB0));
        assertThat(e512.getInt(44)).isEqualTo(8192);
        assertThat(e512.getInt(48)).isEqualTo(8);
        assertThat(e512.getInt(52)).isEqualTo(8);
    }
}
