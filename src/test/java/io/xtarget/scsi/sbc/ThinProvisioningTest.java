package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcProvisioningTest.unmapCdb;
import static io.xtarget.scsi.sbc.SbcProvisioningTest.unmapList;
import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.data;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.backend.RamStore;
import io.xtarget.backend.SpaceUsage;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.ThinProvisioning;
import io.xtarget.scsi.UnitAttentions;
import io.xtarget.scsi.spc.SpcCommandSet;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Thin provisioning thresholds over a store whose file system figures are injected: the soft
 * threshold unit attention (once per nexus, re-armed below), LOG SENSE pages 00h and 0Ch, VPD B2h
 * THRESHOLD EXPONENT and the Logical Block Provisioning mode page.
 */
class ThinProvisioningTest {
    static final long MIB = 1 << 20;
    static final Sense SOFT_THRESHOLD = new Sense(SenseKey.UNIT_ATTENTION, 0x38, 0x07);

    final FaultInjectingStore faulty;
    final SbcRig rig;
    final Nexus other = IscsiPorts.nexus("iqn.2026-01.test:other", 2, IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260"));

    ThinProvisioningTest() throws IOException {
        faulty = new FaultInjectingStore(new RamStore(512, MIB)).reportSpace(new SpaceUsage(100 * MIB, 30 * MIB, MIB));
        rig = SbcRig.over(faulty);
        rig.lu.unitAttentions().attach(rig.nexus);
        rig.lu.unitAttentions().attach(other);
        rig.lu.provisioning().checkInterval(Duration.ZERO);
    }

    /** Sets the soft threshold; every attached nexus is told the mode page changed. */
    private void threshold(int percent) {
        rig.lu.provisioning().softThresholdPercent(percent);
        assertThat(rig.lu.unitAttentions().poll(rig.nexus)).isEqualTo(UnitAttentions.MODE_PARAMETERS_CHANGED);
        assertThat(rig.lu.unitAttentions().poll(other)).isEqualTo(UnitAttentions.MODE_PARAMETERS_CHANGED);
    }

    private void space(long availableMib) {
        faulty.reportSpace(new SpaceUsage(100 * MIB, availableMib * MIB, MIB));
    }

    private ScsiResult runAs(Nexus n, int... cdb) {
        return rig.core.execute(new ScsiTask(rig.core, n, rig.luns, 0, Cdb.of(cdb), null, 99));
    }

    private static int[] logSense(int sp, int page, int subpage, int pointer, int alloc) {
        return new int[] {0x4D, sp, page, subpage, 0, pointer >>> 8, pointer, alloc >>> 8, alloc, 0};
    }

    private static String hex(ScsiResult r) {
        return HexFormat.of().formatHex(data(r));
    }

    @Test
    void softThresholdRaisesOneUnitAttentionPerNexusAndRearmsBelowIt() {
        threshold(80);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1))); // 70 % used
        assertGood(rig.run(cdb10(0x28, 0, 0, 1)));
        space(15); // 85 % used
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 1, 1)));
        assertThat(rig.lu.provisioning().thresholdState()).isEqualTo(ThinProvisioning.ThresholdState.REACHED);
        assertSense(rig.run(cdb10(0x28, 0, 0, 1)), SOFT_THRESHOLD);
        assertSense(runAs(other, cdb10(0x28, 0, 0, 1)), SOFT_THRESHOLD);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 2, 1)));
        assertGood(rig.run(cdb10(0x28, 0, 0, 1))); // once: still above, nothing new
        space(30); // UNMAP gave space back
        assertGood(rig.run(unmapList(new long[][] {{0, 3}}), unmapCdb(24)));
        assertThat(rig.lu.provisioning().thresholdState()).isEqualTo(ThinProvisioning.ThresholdState.ARMED);
        assertGood(rig.run(cdb10(0x28, 0, 0, 1)));
        space(10);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)));
        assertSense(rig.run(cdb10(0x28, 0, 0, 1)), SOFT_THRESHOLD);
    }

    @Test
    void writingTheDistanceToTheThresholdSamplesAtOnce() {
        rig.lu.provisioning().checkInterval(Duration.ofHours(1));
        faulty.reportSpace(new SpaceUsage(100 * MIB, 20 * MIB + 2048, MIB)); // 2 KiB short of 80 %
        threshold(80);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1))); // samples: 2 KiB to go
        faulty.reportSpace(new SpaceUsage(100 * MIB, 20 * MIB, MIB)); // what 4 more blocks would do
        assertGood(rig.run(new byte[1536], cdb10(0x2A, 0, 1, 3)));
        assertThat(rig.lu.provisioning().thresholdState()).isEqualTo(ThinProvisioning.ThresholdState.ARMED);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 4, 1)));
        assertThat(rig.lu.provisioning().thresholdState()).isEqualTo(ThinProvisioning.ThresholdState.REACHED);
    }

    @Test
    void writesSampleTheUsageAtMostOncePerIntervalWhileFarFromTheThreshold() {
        rig.lu.provisioning().checkInterval(Duration.ofHours(1));
        threshold(80); // a new threshold samples at the next write
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)));
        space(15);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)));
        assertThat(rig.lu.provisioning().thresholdState()).isEqualTo(ThinProvisioning.ThresholdState.ARMED);
        // Reading the log page samples at once.
        assertGood(rig.run(logSense(0, 0x0C, 0, 0, 255)));
        assertThat(rig.lu.provisioning().thresholdState()).isEqualTo(ThinProvisioning.ThresholdState.REACHED);
    }

    @Test
    void noThresholdNoUnitAttention() {
        space(1);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)));
        assertGood(rig.run(cdb10(0x28, 0, 0, 1)));
        assertThat(rig.lu.unitAttentions().peek(rig.nexus)).isNull();
    }

    @Test
    void logSenseListsItsPagesAndReportsResourceCountsInThresholdSets() {
        assertThat(hex(rig.run(logSense(0, 0x00, 0, 0, 255)))).isEqualTo("00000002000c");
        assertThat(hex(rig.run(logSense(0, 0x00, 0xFF, 0, 255)))).isEqualTo("40ff00060000" + "00ff" + "0c00");
        // threshold sets of 2^1 blocks of 512 bytes: 30 MiB available (shared), 1 MiB used (dedicated)
        String available = "0001" + "03" + "08" + "00007800" + "02000000";
        String used = "0002" + "03" + "08" + "00000400" + "01000000";
        assertThat(hex(rig.run(logSense(0, 0x40 | 0x0C, 0, 0, 255)))).isEqualTo("8c000018" + available + used);
        assertThat(hex(rig.run(logSense(0, 0x0C, 0, 2, 255)))).isEqualTo("8c00000c" + used);
        assertThat(hex(rig.run(logSense(0, 0x0C, 0, 0, 6)))).isEqualTo("8c0000180001");
    }

    @Test
    void logSenseRefusesWhatItDoesNotHave() {
        assertSense(rig.run(logSense(1, 0x0C, 0, 0, 255)), Sense.invalidFieldInCdb(1, 0)); // SP
        assertSense(rig.run(logSense(0, 0x0D, 0, 0, 255)), Sense.invalidFieldInCdb(2, 5));
        assertSense(rig.run(logSense(0, 0x0C, 1, 0, 255)), Sense.invalidFieldInCdb(3, -1));
        assertSense(rig.run(logSense(0, 0x0C, 0, 3, 255)), Sense.invalidFieldInCdb(5, -1));
    }

    @Test
    void withoutAFileSystemThereAreNoThresholdsAndNoProvisioningLogPage() throws Exception {
        SbcRig ram = new SbcRig(512, 64);
        assertThat(ram.lu.provisioning().thresholdsSupported()).isFalse();
        assertThat(HexFormat.of().formatHex(data(ram.run(logSense(0, 0, 0, 0, 255))))).isEqualTo("0000000100");
        assertSense(ram.run(logSense(0, 0x0C, 0, 0, 255)), Sense.invalidFieldInCdb(2, 5));
        assertThat(SbcDeviceTest.vpd(ram, 0xB2)[4]).as("THRESHOLD EXPONENT").isZero();
    }

    @Test
    void vpdB2ReportsTheThresholdExponent() throws Exception {
        assertThat(SbcDeviceTest.vpd(rig, 0xB2)).containsExactly(0, 0xB2, 0, 4, 1, 0xE4, 0x02, 0);
    }

    @Test
    void thresholdExponentKeepsTheCapacityBelowTwoToTheThirtyTwoSets() {
        assertThat(ThinProvisioning.exponentFor(2048)).isEqualTo(1);
        assertThat(ThinProvisioning.exponentFor(1L << 33)).isEqualTo(2); // 4 TiB of 512-byte blocks
        assertThat(ThinProvisioning.exponentFor((1L << 33) - 1)).isEqualTo(1);
    }

    @Test
    void modePage1Ch02hDescribesTheSoftThreshold() {
        ScsiCore core = new ScsiCore(OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet()).build(),
                List.of());
        LunMap luns = LunMap.of(List.of(new LunMapping(0, rig.lu, false)));
        threshold(80);
        java.util.function.Function<int[], String> modeSense10 = cdb -> HexFormat.of().formatHex(
                data(core.execute(new ScsiTask(core, rig.nexus, luns, 0, Cdb.of(cdb), null, 1))));
        // 20 % of 100 MiB available = 20 MiB = 0x5000 sets of 2 blocks
        String lbp = "5c020014" + "00".repeat(12) + "80010000" + "00005000";
        assertThat(modeSense10.apply(new int[] {0x5A, 0x08, 0x1C, 0x02, 0, 0, 0, 0, 255, 0}))
                .isEqualTo("001e00100000" + "0000" + lbp);
        assertThat(modeSense10.apply(new int[] {0x5A, 0x08, 0x1C, 0xFF, 0, 0, 0, 0, 255, 0}))
                .endsWith("1c0a08" + "00".repeat(9) + lbp);
        assertThat(modeSense10.apply(new int[] {0x5A, 0x08, 0x3F, 0x00, 0, 0, 0, 0, 255, 0})).doesNotContain("5c02");
        assertThat(modeSense10.apply(new int[] {0x5A, 0x08, 0x5C, 0x02, 0, 0, 0, 0, 255, 0})) // changeable
                .isEqualTo("001e00100000" + "0000" + "5c020014" + "00".repeat(20));
        threshold(0);
        assertThat(modeSense10.apply(new int[] {0x5A, 0x08, 0x1C, 0x02, 0, 0, 0, 0, 255, 0}))
                .endsWith("5c020014" + "00".repeat(20));
        assertThat(UnitAttentions.SOFT_THRESHOLD_REACHED).isEqualTo(SOFT_THRESHOLD);
    }
}
