package io.xtarget.scsi;

import static io.xtarget.scsi.ReservationFixtures.nexus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.SharedRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two gateways' ledgers over one shared record (an in-memory stand-in for the RADOS object whose
 * announcements run the other followers' handlers before returning, as watch/notify does).
 */
class SharedReservationLedgerTest {
    /** The shared object: bytes, version, followers. */
    static final class Cell {
        byte[] value = new byte[0];
        long version;
        final List<FakeRecord> followers = new ArrayList<>();
    }

    static final class FakeRecord implements SharedRecord {
        final Cell cell;
        Runnable onChange;
        /** Runs once before the next replace: another gateway writing in between. */
        Runnable beforeNextReplace;
        int replaces;

        FakeRecord(Cell cell) {
            this.cell = cell;
        }

        @Override
        public Versioned read() {
            synchronized (cell) {
                return new Versioned(cell.value.clone(), cell.version);
            }
        }

        @Override
        public boolean replace(long version, byte[] value) {
            Runnable r = beforeNextReplace;
            beforeNextReplace = null;
            if (r != null) {
                r.run();
            }
            replaces++;
            synchronized (cell) {
                if (cell.version != version) {
                    return false;
                }
                cell.value = value.clone();
                cell.version++;
                return true;
            }
        }

        @Override
        public void announce() {
            for (FakeRecord f : List.copyOf(cell.followers)) {
                if (f != this && f.onChange != null) {
                    f.onChange.run();
                }
            }
        }

        @Override
        public void follow(Runnable onChange) {
            this.onChange = onChange;
            cell.followers.add(this);
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {
            cell.followers.remove(this);
        }
    }

    private final Cell cell = new Cell();
    private final UnitAttentions ua1 = new UnitAttentions(false);
    private final UnitAttentions ua2 = new UnitAttentions(false);
    private final FakeRecord record1 = new FakeRecord(cell);
    private final FakeRecord record2 = new FakeRecord(cell);
    private final Nexus a = nexus("iqn.a", 1); // host A through gateway 1
    private final Nexus b = nexus("iqn.b", 2); // host B through gateway 2

    @Test
    void aReservationThroughOneGatewayIsEnforcedByTheOther() throws Exception {
        Reservations g1 = gateway(record1, ua1);
        Reservations g2 = gateway(record2, ua2);
        g1.register(a, 0, 0xA, false, false);
        g1.reserve(a, 0xA, ReservationType.WRITE_EXCLUSIVE);
        assertThat(g2.conflicts(b, MediumAccess.WRITE)).isTrue();
        assertThat(g2.conflicts(b, MediumAccess.READ)).isFalse();
        assertThat(g1.conflicts(a, MediumAccess.WRITE)).isFalse();
        assertThat(g2.status().reservationKey()).isEqualTo(0xA);
        assertThat(g2.persistsThroughPowerLoss()).isTrue();
    }

    @Test
    void aPreemptThroughOneGatewayRaisesTheAttentionOnTheOther() throws Exception {
        Reservations g1 = gateway(record1, ua1);
        Reservations g2 = gateway(record2, ua2);
        ua1.attach(a);
        ua2.attach(b);
        g1.register(a, 0, 0xA, false, false);
        g1.reserve(a, 0xA, ReservationType.EXCLUSIVE_ACCESS);
        g2.register(b, 0, 0xB, false, false);
        assertThat(g2.preempt(b, 0xB, 0xA, ReservationType.WRITE_EXCLUSIVE.code(), false)).containsExactly(a);
        assertThat(ua1.poll(a)).isEqualTo(UnitAttentions.REGISTRATIONS_PREEMPTED);
        assertThat(ua1.poll(a)).isNull();
        assertThat(ua2.peek(a)).as("gateway 2 never saw A's nexus").isNull();
        assertThat(g1.conflicts(a, MediumAccess.WRITE)).isTrue();
        assertThat(g1.status().holder()).isEqualTo(b);
    }

    @Test
    void aChangeThatLosesTheRaceIsAppliedAgainOnTheWinnersState() throws Exception {
        Reservations g1 = gateway(record1, ua1);
        Reservations g2 = gateway(record2, ua2);
        g1.register(a, 0, 0xA, false, false);
        g2.register(b, 0, 0xB, false, false);
        record1.replaces = 0;
        // gateway 1 reads, then gateway 2 reserves before gateway 1 writes: gateway 1's RESERVE
        // is decided again on the new state, and conflicts
        record1.beforeNextReplace = () -> {
            try {
                g2.reserve(b, 0xB, ReservationType.EXCLUSIVE_ACCESS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertThatThrownBy(() -> g1.reserve(a, 0xA, ReservationType.EXCLUSIVE_ACCESS))
                .isInstanceOfSatisfying(ScsiException.class,
                        e -> assertThat(e.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT));
        assertThat(record1.replaces).isEqualTo(1);
        assertThat(g1.status().holder()).isEqualTo(b);
    }

    @Test
    void aRestartedGatewayFindsTheStateButNotOldAttentions() throws Exception {
        Reservations g1 = gateway(record1, ua1);
        g1.register(a, 0, 0xA, false, true);
        g1.register(b, 0, 0xB, false, true);
        g1.preempt(b, 0xB, 0xA, 1, false);
        g1.close();
        UnitAttentions fresh = new UnitAttentions(false);
        fresh.attach(a);
        Reservations again = gateway(new FakeRecord(cell), fresh);
        assertThat(again.status().registrations()).extracting(ReservationState.Registration::key).containsExactly(0xBL);
        assertThat(again.status().aptpl()).isTrue();
        assertThat(fresh.peek(a)).isNull();
    }

    @Test
    void aCommandThatChangesNothingWritesNothing() throws Exception {
        Reservations g1 = gateway(record1, ua1);
        g1.register(a, 0, 0, false, false); // nothing to register
        assertThat(g1.release(a)).isTrue(); // SPC-2 release of nothing
        assertThat(record1.replaces).isZero();
    }

    private static Reservations gateway(FakeRecord record, UnitAttentions ua) throws Exception {
        Reservations r = new Reservations("lu", ua);
        r.useLedger(SharedReservationLedger.follow(record, ua, preempted -> {}));
        return r;
    }

    @Test
    void aPreemptAndAbortThroughOneGatewayAbortsThePreemptedTasksOnTheOther() throws Exception {
        io.xtarget.scsi.spc.CoreFixture f = new io.xtarget.scsi.spc.CoreFixture();
        f.lu.reservations().useLedger(SharedReservationLedger.follow(record1, f.lu.unitAttentions(),
                preempted -> TaskManager.abortPreemptedElsewhere(f.lu, preempted)));
        Reservations g2 = gateway(record2, ua2);
        f.lu.reservations().register(f.a, 0, 0xA, false, false);
        f.lu.reservations().register(f.b, 0, 0xAB, false, false);
        g2.register(b, 0, 0xB, false, false);
        ScsiTask ofA = new ScsiTask(f.core, f.a, f.lunMap, 0, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), 1, ScsiTask::end);
        ScsiTask ofB = new ScsiTask(f.core, f.b, f.lunMap, 0, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0), 2, ScsiTask::end);
        f.core.enter(ofA);
        f.core.enter(ofB);
        g2.preempt(b, 0xB, 0xAB, 0, false); // PREEMPT: f.b loses its registration, its task goes on
        assertThat(ofB.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        g2.preempt(b, 0xB, 0xA, 0, true); // PREEMPT AND ABORT: returns after f.a's task ended on gateway 1
        assertThat(ofA.phase()).isEqualTo(ScsiTask.Phase.ENDED);
        assertThat(ofA.abortOutcome()).isEqualTo(AbortOutcome.SILENT);
        assertThat(ofB.phase()).isEqualTo(ScsiTask.Phase.ACTIVE);
        assertThat(f.lu.unitAttentions().poll(f.a)).isEqualTo(UnitAttentions.REGISTRATIONS_PREEMPTED);
    }

    @Test
    void aRestartedGatewayReleasesAnSpc2ReservationOfItsOwnLastRun() throws Exception {
        Reservations before = gateway(record1, ua1);
        assertThat(before.reserve(a)).isTrue(); // SPC-2 RESERVE through gateway 1, which then dies
        Reservations other = gateway(record2, ua2);
        other.releaseStale(p -> p.relativePortId() == 2); // gateway 2's ports: not its reservation
        assertThat(other.reservedByOther(b)).isTrue();
        Reservations restarted = gateway(new FakeRecord(cell), new UnitAttentions(false));
        restarted.releaseStale(p -> p.relativePortId() == 1);
        assertThat(restarted.reservedByOther(b)).isFalse();
        assertThat(other.reservedByOther(b)).isFalse();
    }
}
