package io.xtarget.scsi.sbc;

import static io.xtarget.scsi.sbc.SbcRig.assertGood;
import static io.xtarget.scsi.sbc.SbcRig.assertSense;
import static io.xtarget.scsi.sbc.SbcRig.cdb10;
import static io.xtarget.scsi.sbc.SbcRig.data;
import static io.xtarget.scsi.sbc.SbcRig.filled;
import static io.xtarget.scsi.sbc.SanitizeTest.BLOCK_ERASE;
import static io.xtarget.scsi.sbc.SanitizeTest.EXIT_FAILURE_MODE;
import static io.xtarget.scsi.sbc.SanitizeTest.OVERWRITE;
import static io.xtarget.scsi.sbc.SanitizeTest.list;
import static io.xtarget.scsi.sbc.SanitizeTest.sanitize;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.FaultInjectingStore;
import io.xtarget.backend.ForwardingStore;
import io.xtarget.backend.Store;
import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.AbortOutcome;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.SanitizeState.Phase;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.TargetPort;
import io.xtarget.scsi.spc.SpcCommandSet;
import io.xtarget.testing.HeapStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sanitize operation in progress and one that failed, behind a core with the SPC and SBC
 * command sets (SBC-4 4.11, 5.30): the commands refused and allowed meanwhile, the progress
 * indication, failure mode and its two ways out, aborts, reservations, write protection and
 * shutdown.
 */
class SanitizeOperationTest {
    static final Sense FAILED = new Sense(SenseKey.MEDIUM_ERROR, 0x31, 0x03);

    /** Writes wait for a permit: the test lets the operation through one chunk at a time. */
    static final class GateStore extends ForwardingStore {
        final Semaphore permits = new Semaphore(0);

        GateStore(Store inner) {
            super(inner);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean fua) throws IOException {
            try {
                permits.acquire();
            } catch (InterruptedException e) {
                throw new InterruptedIOException("write interrupted");
            }
            inner.write(offset, src, fua);
        }
    }

    final HeapStore heap = new HeapStore(512, 8192); // 4 MiB: four 1 MiB chunks per pass
    final GateStore gate = new GateStore(heap);
    final FaultInjectingStore faults = new FaultInjectingStore(gate);
    final LogicalUnit lu = new LogicalUnit("disk", faults, RemovableMediumTest.naa(), "serial", false);
    final ScsiCore core = new ScsiCore(
            OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet()).build(), List.of());
    final TargetPort port = IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260");
    final Nexus a = IscsiPorts.nexus("iqn.2026-01.test:a", 1, port);
    final Nexus b = IscsiPorts.nexus("iqn.2026-01.test:b", 2, port);
    LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));

    {
        core.nexusFormed(a, luns);
        core.nexusFormed(b, luns);
    }

    @AfterEach
    void stop() throws InterruptedException {
        lu.sanitize().stop();
    }

    ScsiTask task(Nexus n, byte[] out, int... cdb) {
        return new ScsiTask(core, n, luns, 0, Cdb.of(cdb), out == null ? null : ByteBuffer.wrap(out), 1);
    }

    ScsiResult run(Nexus n, byte[] out, int... cdb) {
        return core.execute(task(n, out, cdb));
    }

    ScsiResult run(int... cdb) {
        return run(a, null, cdb);
    }

    ScsiResult startOverwrite(int byte1) {
        return run(a, list(1, filled(512, 0x5A)), sanitize(byte1 | OVERWRITE, 516));
    }

    /** REQUEST SENSE with fixed format, 18 bytes. */
    byte[] requestSense() {
        ScsiResult r = run(0x03, 0, 0, 0, 18, 0);
        assertGood(r);
        return data(r);
    }

    void awaitPhase(Phase p) throws InterruptedException {
        for (int i = 0; i < 500 && lu.sanitize().phase() != p; i++) {
            Thread.sleep(10);
        }
        assertThat(lu.sanitize().phase()).isEqualTo(p);
    }

    @Test
    void inProgressRefusesMediumAccessWithTheProgressAndAllowsInquiryReportLunsLogSenseRequestSense() throws Exception {
        assertGood(startOverwrite(0x80)); // IMMED: status once it has started
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IN_PROGRESS);
        assertSense(run(0x00, 0, 0, 0, 0, 0), Sense.sanitizeInProgress(0)); // TEST UNIT READY
        assertSense(run(cdb10(0x28, 0, 0, 1)), Sense.sanitizeInProgress(0)); // READ(10)
        assertSense(run(0x1B, 0, 0, 0, 1, 0), Sense.sanitizeInProgress(0)); // START STOP UNIT
        assertSense(run(a, null, sanitize(BLOCK_ERASE, 0)), Sense.sanitizeInProgress(0)); // another SANITIZE
        assertSense(run(0x1A, 0, 0x3F, 0, 0xFF, 0), Sense.sanitizeInProgress(0)); // MODE SENSE(6)
        assertGood(run(0x12, 0, 0, 0, 36, 0)); // INQUIRY
        assertGood(run(0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0)); // REPORT LUNS
        assertGood(run(0x4D, 0, 0x40, 0, 0, 0, 0, 0, 64, 0)); // LOG SENSE, supported pages

        gate.permits.release(2); // two of the four chunks of the pass
        for (int i = 0; i < 500 && lu.sanitize().progress() < 0x8000; i++) {
            Thread.sleep(10);
        }
        byte[] sense = requestSense();
        assertThat(sense[2] & 0x0F).isEqualTo(SenseKey.NOT_READY);
        assertThat(sense[12] & 0xFF).isEqualTo(0x04);
        assertThat(sense[13] & 0xFF).isEqualTo(0x1B);
        assertThat(sense[15] & 0x80).as("SKSV").isEqualTo(0x80);
        assertThat(((sense[16] & 0xFF) << 8) | (sense[17] & 0xFF)).as("PROGRESS INDICATION").isEqualTo(0x8000);
        assertSense(run(0x00, 0, 0, 0, 0, 0), Sense.sanitizeInProgress(0x8000));

        gate.permits.release(2);
        awaitPhase(Phase.IDLE);
        assertGood(run(0x00, 0, 0, 0, 0, 0));
        assertThat(requestSense()[2]).isZero(); // NO SENSE
        assertThat(heap.bytes()).containsOnly((byte) 0x5A);
    }

    @Test
    void anAbortEndsTheWaitingCommandButNotTheOperation() throws Exception {
        ScsiTask t = task(a, list(1, filled(512, 0x5A)), sanitize(OVERWRITE, 516));
        CompletableFuture<ScsiResult> r = CompletableFuture.supplyAsync(() -> core.execute(t));
        awaitPhase(Phase.IN_PROGRESS);
        assertThat(r).isNotDone(); // IMMED=0 waits
        assertThat(t.tryAbort(AbortOutcome.TASK_ABORTED_STATUS)).isTrue();
        assertThat(r.get(5, TimeUnit.SECONDS).status()).isEqualTo(ScsiStatus.TASK_ABORTED);
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IN_PROGRESS);
        gate.permits.release(4);
        awaitPhase(Phase.IDLE);
        assertThat(heap.bytes()).containsOnly((byte) 0x5A);
    }

    @Test
    void aFailedOperationLeavesFailureModeUntilASanitizeSucceeds() throws Exception {
        gate.permits.release(100);
        faults.failWritesFrom(1 << 20);
        assertSense(startOverwrite(0), FAILED); // IMMED=0: the command reports the failure
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.FAILED);
        assertSense(run(0x00, 0, 0, 0, 0, 0), FAILED);
        assertSense(run(cdb10(0x2A, 0, 0, 1)), FAILED);
        assertGood(run(0x12, 0, 0, 0, 36, 0));
        byte[] sense = requestSense();
        assertThat(sense[2] & 0x0F).isEqualTo(SenseKey.MEDIUM_ERROR);
        assertThat(sense[12] & 0xFF).isEqualTo(0x31);
        assertThat(sense[13] & 0xFF).isEqualTo(0x03);

        // AUSE=0: restricted completion mode
        assertSense(run(a, null, sanitize(EXIT_FAILURE_MODE, 0)), Sense.invalidFieldInCdb(1, 4));
        assertSense(run(a, null, sanitize(0x20 | BLOCK_ERASE, 0)), Sense.invalidFieldInCdb(1, 5));
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.FAILED);

        faults.clear();
        assertGood(run(a, null, sanitize(BLOCK_ERASE, 0)));
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IDLE);
        assertGood(run(0x00, 0, 0, 0, 0, 0));
    }

    @Test
    void exitFailureModeEndsAFailureOfAnUnrestrictedOperation() throws Exception {
        gate.permits.release(100);
        faults.failWritesFrom(0);
        assertSense(startOverwrite(0x20), FAILED); // AUSE=1
        assertSense(run(0x00, 0, 0, 0, 0, 0), FAILED);
        assertGood(run(a, null, sanitize(EXIT_FAILURE_MODE, 0)));
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IDLE);
        assertGood(run(0x00, 0, 0, 0, 0, 0));
        assertGood(run(a, null, sanitize(EXIT_FAILURE_MODE, 0))); // not in failure mode: nothing to do
    }

    @Test
    void anImmediateOperationThatFailsIsSeenByTheNextCommand() throws Exception {
        faults.failWritesFrom(0);
        gate.permits.release(100);
        assertGood(startOverwrite(0x80));
        awaitPhase(Phase.FAILED);
        assertSense(run(0x00, 0, 0, 0, 0, 0), FAILED);
    }

    @Test
    void aReservationOfAnotherNexusConflicts() {
        assertGood(run(b, null, 0x16, 0, 0, 0, 0, 0)); // RESERVE(6) by b
        assertThat(run(a, null, sanitize(BLOCK_ERASE, 0)).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IDLE);
    }

    @Test
    void aReadOnlyMappingIsWriteProtected() {
        luns = LunMap.of(List.of(new LunMapping(0, lu, true)));
        assertSense(run(a, null, sanitize(BLOCK_ERASE, 0)), Sense.writeProtected());
        assertSense(startOverwrite(0), Sense.writeProtected());
        assertSense(run(a, null, sanitize(EXIT_FAILURE_MODE, 0)), Sense.writeProtected());
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IDLE);
    }

    @Test
    void aPendingUnitAttentionIsReportedFirst() {
        lu.unitAttentions().establish(a, io.xtarget.scsi.UnitAttentions.POWER_ON);
        ScsiResult r = run(a, null, sanitize(BLOCK_ERASE, 0));
        assertThat(r.sense().key()).isEqualTo(SenseKey.UNIT_ATTENTION);
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IDLE);
    }

    @Test
    void stopEndsARunningOperation() throws Exception {
        assertGood(startOverwrite(0x80));
        lu.sanitize().stop(); // the write waiting at the gate is interrupted
        assertThat(lu.sanitize().phase()).isEqualTo(Phase.IN_PROGRESS); // the server is going away
        assertThat(heap.bytes()).containsOnly((byte) 0);
    }
}
