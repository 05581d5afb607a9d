package io.xtarget.scsi;

import static io.xtarget.scsi.ReservationFixtures.nexus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.ReservationRules.Change;
import io.xtarget.scsi.ReservationState.Attention;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reservation rules as pure functions: new state, unit attentions, or the command's error. */
class ReservationRulesTest {
    private final Nexus a = nexus("iqn.a", 1);
    private final Nexus b = nexus("iqn.b", 1);
    private final Nexus aThroughGateway2 = nexus("iqn.a", 2);

    private ReservationState registered(Nexus... nexuses) throws ScsiException {
        ReservationState s = ReservationState.EMPTY;
        long key = 0x10;
        for (Nexus n : nexuses) {
            s = ReservationRules.register(s, n, 0, key++, false, false).state();
        }
        return s;
    }

    @Test
    void registeringCountsGenerationsAndLeavesTheInputAlone() throws ScsiException {
        ReservationState before = ReservationState.EMPTY;
        Change c = ReservationRules.register(before, a, 0, 0x10, false, true);
        assertThat(before.registrations()).isEmpty();
        assertThat(c.state().registrations()).containsExactly(new ReservationState.Registration(a, 0x10));
        assertThat(c.state().generation()).isEqualTo(1);
        assertThat(c.state().aptpl()).isTrue();
        ReservationState gone = ReservationRules.register(c.state(), a, 0x10, 0, false, false).state();
        assertThat(gone.registrations()).isEmpty();
        assertThat(gone.generation()).isEqualTo(2);
        assertThat(gone.aptpl()).isFalse();
    }

    @Test
    void aWrongKeyConflictsAndAnUnregisteredZeroKeyChangesNothing() throws ScsiException {
        ReservationState s = registered(a);
        assertThatThrownBy(() -> ReservationRules.register(s, a, 0x99, 0x11, false, false))
                .isInstanceOfSatisfying(ScsiException.class,
                        e -> assertThat(e.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT));
        assertThat(ReservationRules.register(s, b, 0, 0, false, false).state()).isSameAs(s);
    }

    @Test
    void theSameInitiatorPortThroughAnotherGatewayIsAnotherNexus() throws ScsiException {
        ReservationState s = registered(a);
        s = ReservationRules.reserve(s, a, 0x10, ReservationType.WRITE_EXCLUSIVE).state();
        assertThat(ReservationRules.conflicts(s, a, MediumAccess.WRITE)).isFalse();
        assertThat(ReservationRules.conflicts(s, aThroughGateway2, MediumAccess.WRITE)).isTrue();
        assertThat(ReservationRules.conflicts(s, aThroughGateway2, MediumAccess.READ)).isFalse();
        assertThat(s.registration(aThroughGateway2)).isNull();
    }

    @Test
    void preemptingTheHolderMovesTheReservationAndNamesThePreempted() throws ScsiException {
        ReservationState s = registered(a, b);
        s = ReservationRules.reserve(s, a, 0x10, ReservationType.EXCLUSIVE_ACCESS).state();
        Change c = ReservationRules.preempt(s, b, 0x11, 0x10, ReservationType.WRITE_EXCLUSIVE.code());
        assertThat(c.state().holder()).isEqualTo(b);
        assertThat(c.state().type()).isEqualTo(ReservationType.WRITE_EXCLUSIVE);
        assertThat(c.state().registration(a)).isNull();
        assertThat(c.state().generation()).isEqualTo(s.generation() + 1);
        assertThat(c.preempted()).containsExactly(a);
        assertThat(c.attentions()).containsExactly(new Attention(a, UnitAttentions.REGISTRATIONS_PREEMPTED));
    }

    @Test
    void preemptingAnUnknownKeyConflictsAndAZeroKeyIsAnInvalidField() throws ScsiException {
        ReservationState s = registered(a, b);
        assertThatThrownBy(() -> ReservationRules.preempt(s, b, 0x11, 0x77, 1))
                .isInstanceOfSatisfying(ScsiException.class,
                        e -> assertThat(e.status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT));
        assertThatThrownBy(() -> ReservationRules.preempt(s, b, 0x11, 0, 1))
                .isInstanceOfSatisfying(ScsiException.class, e -> assertThat(e.sense().asc()).isEqualTo(0x26));
    }

    @Test
    void clearTellsEveryOtherRegistrant() throws ScsiException {
        ReservationState s = registered(a, b, aThroughGateway2);
        Change c = ReservationRules.clear(s, b, 0x11);
        assertThat(c.state().registrations()).isEmpty();
        assertThat(c.state().reserved()).isFalse();
        assertThat(c.attentions()).containsExactly(new Attention(a, UnitAttentions.RESERVATIONS_PREEMPTED),
                new Attention(aThroughGateway2, UnitAttentions.RESERVATIONS_PREEMPTED));
    }

    @Test
    void releasingARegistrantsOnlyReservationTellsTheOthers() throws ScsiException {
        ReservationState s = registered(a, b);
        s = ReservationRules.reserve(s, a, 0x10, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY).state();
        ReservationState reserved = s;
        assertThatThrownBy(() -> ReservationRules.release(reserved, a, 0x10, ReservationType.WRITE_EXCLUSIVE))
                .isInstanceOfSatisfying(ScsiException.class, e -> assertThat(e.sense().ascq()).isEqualTo(0x04));
        Change c = ReservationRules.release(s, a, 0x10, ReservationType.WRITE_EXCLUSIVE_REGISTRANTS_ONLY);
        assertThat(c.state().reserved()).isFalse();
        assertThat(c.attentions()).containsExactly(new Attention(b, UnitAttentions.RESERVATIONS_RELEASED));
    }

    @Test
    void spc2ReserveYieldsToRegistrationsAndEndsWithTheNexus() throws ScsiException {
        assertThatThrownBy(() -> ReservationRules.spc2Reserve(registered(b), a)).isInstanceOf(ScsiException.class);
        ReservationState s = ReservationRules.spc2Reserve(ReservationState.EMPTY, a).state();
        assertThat(ReservationRules.conflicts(s, b, MediumAccess.READ)).isTrue();
        assertThat(ReservationRules.conflicts(s, b, MediumAccess.NONE)).isFalse();
        assertThat(ReservationRules.spc2Release(s, b).state()).isSameAs(s);
        assertThat(ReservationRules.nexusLost(s, a).state().spc2Holder()).isNull();
        assertThat(ReservationRules.reset(s).state().spc2Holder()).isNull();
    }

    @Test
    void theLogKeepsTheAttentionsOfTheLastChanges() {
        ReservationState s = ReservationState.EMPTY;
        for (int i = 0; i < ReservationState.LOG_CHANGES + 5; i++) {
            s = s.logged(List.of(new Attention(a, UnitAttentions.RESERVATIONS_RELEASED)));
        }
        assertThat(s.sequence()).isEqualTo(ReservationState.LOG_CHANGES + 5);
        assertThat(s.recent()).hasSize(ReservationState.LOG_CHANGES);
        assertThat(s.recent().getFirst().sequence()).isEqualTo(6);
        assertThat(s.sameReservations(ReservationState.EMPTY)).isTrue();
    }
}
