package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.cdb16;
import static io.xtarget.scsi.sbc.SbcRig.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.MissingStore;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.spc.SpcCommandSet;
import io.xtarget.testing.HeapStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A logical unit whose image is missing ({@link MissingStore}) behind a core with the SPC and SBC
 * command sets: every command that touches the medium gets NOT READY / LOGICAL UNIT NOT READY,
 * MANUAL INTERVENTION REQUIRED (04h/03h), commands about the device still answer, and once the
 * image is restored the initiators get NOT READY TO READY CHANGE (28h/00h) and then the data.
 */
class MissingImageTest {
    static final Sense MANUAL_INTERVENTION = new Sense(SenseKey.NOT_READY, 0x04, 0x03);
    static final Sense NOT_READY_TO_READY = new Sense(SenseKey.UNIT_ATTENTION, 0x28, 0x00);
    static final Path IMAGE = Path.of("/srv/images/gone.img");

    final LogicalUnit lu;
    final LunMap luns;
    final ScsiCore core = new ScsiCore(
            OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet()).build(), List.of());
    final TargetPort port = IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260");
    final Nexus a = IscsiPorts.nexus("iqn.2026-01.test:a", 1, port);

    MissingImageTest() throws Exception {
        lu = new LogicalUnit("gone", new MissingStore(IMAGE, "file", 512, 64 * 512), RemovableMediumTest.naa(),
                "serial-gone", false);
        luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
        core.nexusFormed(a, luns);
    }

    ScsiResult run(byte[] out, int... cdb) {
        return core.execute(new ScsiTask(core, a, luns, 0, Cdb.of(cdb), out == null ? null : ByteBuffer.wrap(out), 1));
    }

    ScsiResult run(int... cdb) {
        return run(null, cdb);
    }

    @Test
    void mediumAccessIsNotReadyManualInterventionRequired() {
        assertThat(lu.missingImage()).isEqualTo(IMAGE.toString());
        ScsiResult tur = run(0, 0, 0, 0, 0, 0);
        assertSense(tur, MANUAL_INTERVENTION);
        assertThat(tur.sense().fixed()).containsExactly(
                0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x04, 0x03, 0, 0, 0, 0);
        int[][] mediumCommands = {
            cdb10(0x28, 0, 1, 1), // READ(10)
            cdb16(0x88, 0, 1, 1), // READ(16)
            cdb10(0x2F, 0, 1, 1), // VERIFY(10)
            {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // READ CAPACITY(10)
            {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0}, // READ CAPACITY(16)
            {0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24, 0, 0}, // GET LBA STATUS
            cdb10(0x35, 0, 0, 0), // SYNCHRONIZE CACHE(10)
            {0x1B, 0, 0, 0, 0x01, 0}, // START STOP UNIT START=1: nothing the initiator can do
        };
        for (int[] cdb : mediumCommands) {
            assertSense(run(cdb), MANUAL_INTERVENTION);
        }
        assertSense(run(new byte[512], cdb10(0x2A, 0, 1, 1)), MANUAL_INTERVENTION); // WRITE(10)
        assertSense(run(new byte[512], cdb10(0x2A, 0x08, 1, 1)), MANUAL_INTERVENTION); // WRITE(10) FUA
        assertSense(run(new byte[24], 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), MANUAL_INTERVENTION); // UNMAP

        // the device is still there: identity and inventory answer
        assertGood(run(0x12, 0, 0, 0, 96, 0)); // INQUIRY
        assertGood(run(0x12, 1, 0x83, 0, 255, 0)); // INQUIRY VPD 0x83: same NAA as before
        assertGood(run(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0)); // REPORT LUNS
        assertGood(run(0x03, 0, 0, 0, 18, 0)); // REQUEST SENSE
        assertGood(run(0x1A, 0, 0x3F, 0, 255, 0)); // MODE SENSE(6)
    }

    @Test
    void aRestoredImageServesAfterNotReadyToReadyChange() throws Exception {
        HeapStore heap = new HeapStore(512, 64);
        heap.bytes()[512] = 0x5A;
        lu.restore(heap);
        assertThat(lu.missingImage()).isNull();
        assertSense(run(0, 0, 0, 0, 0, 0), NOT_READY_TO_READY);
        assertGood(run(0, 0, 0, 0, 0, 0));
        assertThat(data(run(cdb10(0x28, 0, 1, 1)))[0]).isEqualTo((byte) 0x5A);
        assertThatThrownBy(() -> lu.restore(heap)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theStandInStoreFailsEveryAccessNamingThePath() throws Exception {
        MissingStore s = new MissingStore(IMAGE, "block", 4096, 0);
        assertThat(s.blockSize()).isEqualTo(4096);
        assertThat(s.sizeBytes()).isZero();
        assertThat(s.kind()).isEqualTo("block");
        assertThatThrownBy(() -> s.read(0, ByteBuffer.allocate(512))).hasMessageContaining(IMAGE.toString());
        assertThatThrownBy(() -> s.write(0, ByteBuffer.allocate(512), true)).hasMessageContaining("missing");
        assertThatThrownBy(s::flush).hasMessageContaining("missing");
        assertThatThrownBy(() -> new MissingStore(IMAGE, "file", 512, 100)).hasMessageContaining("multiple");
    }
}
