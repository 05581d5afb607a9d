package io.xtarget.scsi.sbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.testing.HeapStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * START STOP UNIT through a read-only mapping (SBC-3 5.25): loading or ejecting the medium
 * (POWER CONDITION 0, LOEJ=1) changes what every I_T nexus sees and is refused with WRITE
 * PROTECTED; starting, stopping without LOEJ and power conditions leave the medium alone and run.
 */
class ReadOnlyStartStopUnitTest {
    static final int RW = 0;
    static final int RO = 1;

    final HeapStore heap = new HeapStore(512, 64);
    final SbcRig.RecordingStore store = new SbcRig.RecordingStore(heap);
    final LogicalUnit lu = new LogicalUnit("cd0", store, RemovableMediumTest.naa(), "serial-rm", false, true);
    final LunMap luns = LunMap.of(List.of(new LunMapping(RW, lu, false), new LunMapping(RO, lu, true)));
    final ScsiCore core = new ScsiCore(OpcodeTable.builder().addAll(new SbcCommandSet()).build(), List.of());
    final Nexus reader = IscsiPorts.nexus("iqn.2026-01.test:reader", 1, IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1,
            "127.0.0.1:3260"));

    ScsiResult ssu(int lun, int byte4) {
        return core.execute(new ScsiTask(core, reader, luns, lun, Cdb.of(0x1B, 0, 0, 0, byte4, 0), null, 1));
    }

    @Test
    void ejectAndLoadAreWriteProtected() {
        assertThat(ssu(RO, 0x02).sense()).as("LOEJ=1 START=0: eject").isEqualTo(Sense.writeProtected());
        assertThat(lu.medium().present()).isTrue();
        assertThat(store.flushes).as("refused before the handler").isZero();
        assertThat(ssu(RW, 0x02).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(ssu(RO, 0x03).sense()).as("LOEJ=1 START=1: load").isEqualTo(Sense.writeProtected());
        assertThat(lu.medium().present()).isFalse();
    }

    @Test
    void startStopWithoutLoejAndPowerConditionsRun() {
        assertThat(ssu(RO, 0x01).status()).as("START=1").isEqualTo(ScsiStatus.GOOD);
        assertThat(ssu(RO, 0x00).status()).as("START=0: flush only").isEqualTo(ScsiStatus.GOOD);
        assertThat(store.flushes).isEqualTo(1);
        assertThat(ssu(RO, 0x32).status()).as("POWER CONDITION 3h with LOEJ: LOEJ ignored").isEqualTo(ScsiStatus.GOOD);
        assertThat(lu.medium().present()).isTrue();
    }

    @Test
    void thePredicateLooksAtPowerConditionAndLoejOnly() {
        assertThat(UnitCommands.movesMedium(Cdb.of(0x1B, 0, 0, 0, 0x02, 0))).isTrue();
        assertThat(UnitCommands.movesMedium(Cdb.of(0x1B, 0, 0, 0, 0x07, 0))).isTrue();
        assertThat(UnitCommands.movesMedium(Cdb.of(0x1B, 0, 0, 0, 0x05, 0))).isFalse();
        assertThat(UnitCommands.movesMedium(Cdb.of(0x1B, 0, 0, 0, 0x12, 0))).isFalse();
    }
}
