package io.xtarget.scsi;

/**
 * The reservation state kept in this process only: lost on restart (so APTPL is refused), the
 * same for every I_T nexus of this server.
 */
public final class LocalReservationLedger implements ReservationLedger {
    private final UnitAttentions attentions;
    private volatile ReservationState state = ReservationState.EMPTY;

    /** @param attentions the LU's unit attentions, where changes establish theirs */
    public LocalReservationLedger(UnitAttentions attentions) {
        this.attentions = attentions;
    }

    @Override
    public ReservationState current() {
        return state;
    }

    @Override
    public synchronized ReservationRules.Change apply(ReservationRules.Transition transition) throws ScsiException {
        ReservationRules.Change c = transition.apply(state);
        state = c.state();
        for (ReservationState.Attention a : c.attentions()) {
            attentions.establish(a.nexus(), a.sense());
        }
        return c;
    }

    @Override
    public boolean persistsThroughPowerLoss() {
        return false;
    }
}
