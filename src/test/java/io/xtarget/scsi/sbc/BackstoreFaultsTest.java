package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcProvisioningTest.unmapCdb;
import static io.xtarget.scsi.sbc.SbcProvisioningTest.unmapList;
import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.cdb16;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.backend.RamStore;
import io.xtarget.scsi.LuHealth;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import org.junit.jupiter.api.Test;

/**
 * Backstore faults reported honestly: a failed flush is a WRITE ERROR and fails the LU until an
 * administrator enables it; a plain write error does not; a full file system is DATA PROTECT /
 * SPACE ALLOCATION FAILED WRITE PROTECT, not a broken disk.
 */
class BackstoreFaultsTest {
    static final Sense WRITE_ERROR = new Sense(SenseKey.MEDIUM_ERROR, 0x0C, 0x00);
    static final Sense LU_FAILED = new Sense(SenseKey.HARDWARE_ERROR, 0x44, 0x00);
    static final Sense OUT_OF_SPACE = new Sense(SenseKey.DATA_PROTECT, 0x27, 0x07);
    static final int[] SYNC_CACHE = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    final FaultInjectingStore faulty;
    final SbcRig rig;

    BackstoreFaultsTest() throws java.io.IOException {
        faulty = new FaultInjectingStore(new RamStore(512, 1 << 20));
        rig = SbcRig.over(faulty);
    }

    private void assertFailedLu() {
        assertThat(rig.lu.health().state()).isEqualTo(LuHealth.State.FAILED);
        assertSense(rig.run(SYNC_CACHE), LU_FAILED);
        assertSense(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)), LU_FAILED);
        assertSense(rig.run(new byte[512], cdb10(0x2A, 0x08, 0, 1)), LU_FAILED);
        assertSense(rig.run(unmapList(new long[][] {{1, 1}}), unmapCdb(24)), LU_FAILED);
        assertSense(rig.run(new byte[512], cdb16(0x93, 0, 0, 4)), LU_FAILED); // WRITE SAME(16)
        assertGood(rig.run(cdb10(0x28, 0, 0, 1))); // reads keep working
    }

    @Test
    void failedSynchronizeCacheIsAWriteErrorAndTheNextOneIsNotGood() {
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)));
        faulty.failFlushes(1);
        assertSense(rig.run(SYNC_CACHE), WRITE_ERROR);
        // The store would flush fine now, but the data written before may be lost for good.
        assertFailedLu();
        assertThat(rig.lu.health().flushFailures()).isEqualTo(1);
        assertThat(rig.lu.health().failure().cause()).contains("fdatasync");
        assertThat(rig.store.flushes).as("refused flushes never reach the store").isEqualTo(1);
    }

    @Test
    void fuaWriteWhoseFlushFailsFailsTheLu() {
        faulty.failFlushes(1);
        assertSense(rig.run(new byte[512], cdb10(0x2A, 0x08, 0, 1)), WRITE_ERROR);
        assertFailedLu();
    }

    @Test
    void writeThroughWithTheWriteCacheDisabledFailsTheLu() {
        rig.lu.mode().writeCacheEnabled = false;
        faulty.failFlushes(1);
        assertSense(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)), WRITE_ERROR);
        assertFailedLu();
    }

    @Test
    void writeAndVerifyWhoseFlushFailsFailsTheLu() {
        faulty.failFlushes(1);
        assertSense(rig.run(new byte[512], cdb10(0x2E, 0, 0, 1)), WRITE_ERROR);
        assertFailedLu();
    }

    @Test
    void plainWriteErrorIsAWriteErrorButTheLuStaysHealthy() {
        faulty.failWritesFrom(0);
        assertSense(rig.run(new byte[512], cdb10(0x2A, 0, 0, 1)), WRITE_ERROR);
        assertThat(rig.lu.health().state()).isEqualTo(LuHealth.State.HEALTHY);
        faulty.clear();
        assertGood(rig.run(SYNC_CACHE));
        faulty.failReadsFrom(0);
        assertSense(rig.run(cdb10(0x28, 0, 0, 1)), new Sense(SenseKey.MEDIUM_ERROR, 0x11, 0x00));
    }

    @Test
    void onlyAHigherEnableCountReturnsTheLuToService() {
        rig.lu.health().enable(3); // the count the config started with
        faulty.failFlushes(1);
        assertSense(rig.run(SYNC_CACHE), WRITE_ERROR);
        assertThat(rig.lu.health().enable(3)).as("an unrelated reload").isFalse();
        assertFailedLu();
        assertThat(rig.lu.health().enable(4)).isTrue();
        assertThat(rig.lu.health().state()).isEqualTo(LuHealth.State.HEALTHY);
        assertThat(rig.lu.health().failure()).isNull();
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0x08, 0, 1)));
        assertGood(rig.run(SYNC_CACHE));
        faulty.failFlushes(1);
        assertSense(rig.run(SYNC_CACHE), WRITE_ERROR);
        assertThat(rig.lu.health().enable(4)).isFalse();
        assertThat(rig.lu.health().state()).isEqualTo(LuHealth.State.FAILED);
        assertThat(rig.lu.health().flushFailures()).isEqualTo(2);
    }

    @Test
    void aFullFileSystemIsSpaceAllocationFailedNotAMediumError() {
        faulty.noSpaceFrom(64 * 512);
        assertGood(rig.run(new byte[512], cdb10(0x2A, 0, 63, 1)));
        assertSense(rig.run(new byte[1024], cdb10(0x2A, 0, 63, 2)), OUT_OF_SPACE);
        assertSense(rig.run(new byte[512], cdb16(0x93, 0, 64, 8)), OUT_OF_SPACE); // WRITE SAME(16)
        assertThat(rig.lu.provisioning().outOfSpace()).isTrue();
        assertThat(rig.lu.provisioning().spaceAllocationFailures()).isEqualTo(2);
        assertThat(rig.lu.health().state()).as("nothing is lost").isEqualTo(LuHealth.State.HEALTHY);
        assertGood(rig.run(SYNC_CACHE));
        assertGood(rig.run(cdb10(0x28, 0, 64, 1)));
        faulty.clear(); // space was freed
        assertGood(rig.run(new byte[1024], cdb10(0x2A, 0, 63, 2)));
        assertThat(rig.lu.provisioning().outOfSpace()).isFalse();
    }
}
