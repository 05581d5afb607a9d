package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.spc.CoreFixture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Resets shared between the gateways of an LU ({@link PeerResets}, SAM-5 6.3.3): a reset performed
 * here is announced to the peers and its task management function completes only once they
 * performed it; a reset a peer announces is performed for this gateway's nexuses as one requested
 * by another initiator, and is not announced back.
 */
class PeerResetsTest {
    private final CoreFixture f = new CoreFixture();
    private final TaskManager tm = f.core.taskManager();
    private int tag;

    private record Announced(List<LogicalUnit> units, PeerResets.Kind kind) {}

    private ScsiTask enter(Nexus n) {
        ScsiTask t = new ScsiTask(f.core, n, f.lunMap, 0, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), ++tag, null);
        f.core.enter(t);
        return t;
    }

    @Test
    void aLogicalUnitResetIsDoneOnlyOnceThePeersPerformedIt() throws Exception {
        CountDownLatch called = new CountDownLatch(1);
        CountDownLatch peersDone = new CountDownLatch(1);
        List<Announced> announced = new ArrayList<>();
        tm.setPeerResets((Collection<LogicalUnit> units, PeerResets.Kind kind) -> {
            synchronized (announced) {
                announced.add(new Announced(List.copyOf(units), kind));
            }
            called.countDown();
            try {
                peersDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CountDownLatch responded = new CountDownLatch(1);
        TaskManager.Aborted a = tm.resetLogicalUnit(f.lu, f.a);
        a.whenEnded(responded::countDown);
        assertThat(called.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(responded.getCount()).as("no response before the peers performed the reset").isOne();
        assertThat(f.lu.unitAttentions().peek(f.b)).as("done here already").isEqualTo(UnitAttentions.LUN_RESET);
        peersDone.countDown();
        assertThat(a.await(30, TimeUnit.SECONDS)).isTrue();
        // the response runs on the thread that completed the peers' part, possibly after await returned
        assertThat(responded.await(30, TimeUnit.SECONDS)).isTrue();
        synchronized (announced) {
            assertThat(announced).containsExactly(new Announced(List.of(f.lu), PeerResets.Kind.LOGICAL_UNIT));
        }
    }

    @Test
    void aTargetResetIsAnnouncedAsOne() throws Exception {
        List<Announced> announced = new ArrayList<>();
        tm.setPeerResets((units, kind) -> {
            synchronized (announced) {
                announced.add(new Announced(List.copyOf(units), kind));
            }
        });
        assertThat(tm.resetTarget(List.of(f.lu), f.a).await(30, TimeUnit.SECONDS)).isTrue();
        synchronized (announced) {
            assertThat(announced).containsExactly(new Announced(List.of(f.lu), PeerResets.Kind.TARGET));
        }
        assertThat(f.lu.unitAttentions().poll(f.a)).isEqualTo(UnitAttentions.POWER_ON);
    }

    @Test
    void aPeersResetAbortsEveryTaskAsAnotherInitiatorsAndIsNotAnnouncedBack() throws Exception {
        // SAM-5 5.6: tasks aborted by another I_T nexus end with TASK ABORTED when TAS=1
        f.lu.mode().taskAbortedStatus = true;
        AtomicBoolean announced = new AtomicBoolean();
        tm.setPeerResets((units, kind) -> announced.set(true));
        ScsiTask ofA = enter(f.a);
        ScsiTask ofB = enter(f.b);
        TaskManager.Aborted a = tm.resetByPeer(f.lu, PeerResets.Kind.LOGICAL_UNIT);
        assertThat(a.tasks()).containsExactlyInAnyOrder(ofA, ofB);
        assertThat(ofA.abortOutcome()).isEqualTo(AbortOutcome.TASK_ABORTED_STATUS);
        assertThat(ofB.abortOutcome()).isEqualTo(AbortOutcome.TASK_ABORTED_STATUS);
        assertThat(f.lu.unitAttentions().poll(f.a)).isEqualTo(UnitAttentions.LUN_RESET);
        assertThat(f.lu.unitAttentions().poll(f.b)).isEqualTo(UnitAttentions.LUN_RESET);
        ofA.end();
        ofB.end();
        assertThat(a.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(announced).isFalse();
    }
}
