package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.cdb16;
import static io.xtarget.scsi.sbc.SbcRig.data;
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
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.spc.SpcCommandSet;
import io.xtarget.testing.HeapStore;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A removable LU (INQUIRY RMB=1) behind a core with the SPC and SBC command sets: START STOP UNIT
 * ejects and loads, the core answers NOT READY / MEDIUM NOT PRESENT for medium access while it is
 * out, and PREVENT ALLOW MEDIUM REMOVAL is kept per I_T nexus.
 */
class RemovableMediumTest {
    static final Sense NOT_PRESENT = new Sense(SenseKey.NOT_READY, 0x3A, 0x00);
    static final Sense PREVENTED = new Sense(SenseKey.ILLEGAL_REQUEST, 0x53, 0x02);

    final HeapStore heap = new HeapStore(512, 64);
    final SbcRig.RecordingStore store = new SbcRig.RecordingStore(heap);
    final LogicalUnit lu = new LogicalUnit("cd0", store, naa(), "serial-rm", false, true);
    final LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
    final ScsiCore core = new ScsiCore(
            OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet()).build(), List.of());
    final TargetPort port = IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260");
    final Nexus a = IscsiPorts.nexus("iqn.2026-01.test:a", 1, port);
    final Nexus b = IscsiPorts.nexus("iqn.2026-01.test:b", 2, port);

    {
        core.nexusFormed(a, luns); // both I_T nexuses exist: conditions "for every nexus" reach them
        core.nexusFormed(b, luns);
    }

    static byte[] naa() {
        byte[] n = new byte[16];
        n[0] = 0x60;
        n[15] = 0x42;
        return n;
    }

    ScsiResult run(Nexus n, byte[] out, int... cdb) {
        return core.execute(new ScsiTask(core, n, luns, 0, Cdb.of(cdb), out == null ? null : ByteBuffer.wrap(out), 1));
    }

    ScsiResult run(Nexus n, int... cdb) {
        return run(n, null, cdb);
    }

    static int[] ssu(int byte4) {
        return new int[] {0x1B, 0, 0, 0, byte4, 0};
    }

    static int[] preventAllow(int prevent) {
        return new int[] {0x1E, 0, 0, 0, prevent, 0};
    }

    static final int[] TUR = {0, 0, 0, 0, 0, 0};
    static final int[] EJECT = ssu(0x02);
    static final int[] LOAD = ssu(0x03);

    @Test
    void inquiryReportsTheRemovableMediumBit() {
        byte[] d = data(run(a, 0x12, 0, 0, 0, 96, 0));
        assertThat(d[1] & 0xFF).isEqualTo(0x80);
        assertThat(d[0]).isZero(); // still a direct access block device
    }

    @Test
    void ejectFlushesAndMediumAccessIsNotReadyUntilTheMediumIsLoaded() {
        heap.bytes()[512] = 0x5A;
        assertGood(run(a, EJECT));
        assertThat(store.flushes).isEqualTo(1);
        assertThat(lu.medium().present()).isFalse();

        ScsiResult tur = run(a, TUR);
        assertSense(tur, NOT_PRESENT);
        assertThat(tur.sense().fixed()).containsExactly(
                0x70, 0, 0x02, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3A, 0, 0, 0, 0, 0);
        int[][] mediumCommands = {
            cdb10(0x28, 0, 1, 1), // READ(10)
            cdb16(0x88, 0, 1, 1), // READ(16)
            cdb10(0x2F, 0, 1, 1), // VERIFY(10)
            {0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0}, // READ CAPACITY(10)
            {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0}, // READ CAPACITY(16)
            {0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 24, 0, 0}, // GET LBA STATUS
            cdb10(0x35, 0, 0, 0), // SYNCHRONIZE CACHE(10)
            cdb16(0x91, 0, 0, 0), // SYNCHRONIZE CACHE(16)
            cdb10(0x34, 0, 0, 1), // PRE-FETCH(10)
        };
        for (int[] cdb : mediumCommands) {
            assertSense(run(a, cdb), NOT_PRESENT);
        }
        assertSense(run(a, new byte[512], cdb10(0x2A, 0, 1, 1)), NOT_PRESENT); // WRITE(10)
        assertSense(run(a, new byte[512], cdb10(0x41, 0x08, 1, 1)), NOT_PRESENT); // WRITE SAME(10) UNMAP
        assertSense(run(a, new byte[24], 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0), NOT_PRESENT); // UNMAP
        assertThat(heap.bytes()[512]).isEqualTo((byte) 0x5A);
        assertThat(store.flushes).isEqualTo(1);

        // commands about the device, not the medium, still work
        assertGood(run(a, 0x12, 0, 0, 0, 96, 0)); // INQUIRY
        assertGood(run(a, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0)); // REPORT LUNS
        assertGood(run(a, 0x03, 0, 0, 0, 18, 0)); // REQUEST SENSE
        assertGood(run(a, 0x1A, 0, 0x3F, 0, 255, 0)); // MODE SENSE(6)
        assertGood(run(a, preventAllow(0)));
        assertGood(run(a, EJECT)); // an empty drive ejects again
        assertGood(run(a, ssu(0x00))); // STOP without a medium: nothing to flush
        assertThat(store.flushes).isEqualTo(1);
        assertSense(run(a, ssu(0x01)), NOT_PRESENT); // START: nothing to spin up

        assertGood(run(a, LOAD));
        assertThat(lu.medium().present()).isTrue();
        assertGood(run(a, TUR));
        assertThat(data(run(a, cdb10(0x28, 0, 1, 1)))[0]).isEqualTo((byte) 0x5A); // same data after reload
        assertGood(run(a, LOAD)); // loading a loaded medium is a no-op
    }

    @Test
    void ejectWithNoFlushDoesNotFlush() {
        assertGood(run(a, ssu(0x06)));
        assertThat(store.flushes).isZero();
        assertSense(run(a, TUR), NOT_PRESENT);
    }

    @Test
    void startAndStopWithoutLoejLeaveTheMediumLoaded() {
        for (int b4 : new int[] {0x00, 0x01, 0x04, 0x05}) {
            assertGood(run(a, ssu(b4)));
            assertGood(run(a, TUR));
        }
    }

    @Test
    void preventionFromAnyNexusBlocksEjectAndLoadUntilThatNexusAllowsOrGoes() {
        assertGood(run(a, preventAllow(1)));
        assertThat(lu.preventRemoval()).isTrue();
        assertSense(run(b, EJECT), PREVENTED);
        assertSense(run(a, EJECT), PREVENTED);
        assertThat(store.flushes).isZero();
        assertGood(run(a, TUR));
        assertGood(run(b, preventAllow(0))); // B never prevented: A's prevention stands
        assertSense(run(b, EJECT), PREVENTED);
        assertGood(run(a, preventAllow(0)));
        assertGood(run(b, EJECT));

        assertGood(run(b, preventAllow(1)));
        assertSense(run(a, LOAD), PREVENTED); // the prevention locks an empty drive too
        assertSense(run(a, TUR), NOT_PRESENT);
        core.nexusLost(b, luns); // logout or connection loss of B ends its prevention
        assertThat(lu.preventRemoval()).isFalse();
        assertGood(run(a, LOAD));
        assertGood(run(a, TUR));
    }

    @Test
    void obsoletePreventValuesAreRejected() {
        assertSense(run(a, preventAllow(2)), Sense.invalidFieldInCdb(4, 1));
        assertSense(run(a, preventAllow(3)), Sense.invalidFieldInCdb(4, 1));
        assertThat(lu.preventRemoval()).isFalse();
    }

    @Test
    void resetEndsEveryNexussPrevention() {
        assertGood(run(a, preventAllow(1)));
        assertGood(run(b, preventAllow(1)));
        lu.medium().clearPreventions(); // what LOGICAL UNIT RESET and target resets do
        assertGood(run(a, EJECT));
        assertGood(run(a, LOAD));
    }

    @Test
    void loadingGivesTheOtherInitiatorPortsAMediumChangeAttention() {
        assertGood(run(b, TUR)); // B's initiator port is known to the LU
        assertGood(run(a, EJECT));
        assertSense(run(b, TUR), NOT_PRESENT);
        assertGood(run(a, LOAD));
        assertGood(run(a, TUR)); // the issuer knows
        assertSense(run(b, TUR), new Sense(SenseKey.UNIT_ATTENTION, 0x28, 0x00));
        assertGood(run(b, TUR));
    }

    /** libiscsi StartStopUnit.PwrCnd: with a nonzero POWER CONDITION, LOEJ is ignored. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
    void everyNonzeroPowerConditionLeavesTheMediumLoaded(int pc) {
        assertGood(run(a, ssu(pc << 4 | 0x02)));
        assertGood(run(a, TUR));
    }
}
