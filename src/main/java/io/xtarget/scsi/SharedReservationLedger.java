package io.xtarget.scsi;

import io.xtarget.backend.SharedRecord;
import io.xtarget.scsi.ReservationRules.Change;
import io.xtarget.scsi.ReservationState.LoggedAttention;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation state of an LU that several gateways export, kept in a {@link SharedRecord}
 * (for an RBD image: a RADOS object beside it) so that a reservation taken through one gateway is
 * enforced by the others and survives their restarts (APTPL is honoured).
 *
 * <p><b>Changes</b> ({@link #apply}) always read the record, apply the rule to what they read and
 * write the result by compare-and-swap, retrying when another gateway wrote in between: two
 * gateways can never both win (two RESERVEs, two PREEMPTs of each other). Each change is logged
 * in the state with its unit attentions ({@link ReservationState#logged}); after the write the
 * ledger announces it and returns when every other gateway has refreshed (or after the record's
 * bounded wait for one that does not answer), so a PERSISTENT RESERVE OUT completes only when the
 * others enforce it.
 *
 * <p><b>Reads</b> ({@link #current}, asked before every command) use the copy this gateway holds.
 * The window: a command that another gateway admitted before it refreshed runs under the old
 * state, as a command already accepted does on one server. A gateway that misses announcements
 * (its watch broke) catches up when the watch is restored.
 *
 * <p><b>Unit attentions</b>: after every read of the record, the attentions of changes this
 * gateway has not seen yet are established for the I_T nexuses this LU has seen here
 * ({@link UnitAttentions#establishIfKnown}); the other gateways' nexuses are theirs. The log
 * holds the last {@link ReservationState#LOG_CHANGES} changes; a gateway further behind loses
 * the older attentions (it logs that). A change marked PREEMPT AND ABORT also aborts the
 * preempted nexuses' tasks here, outside the ledger's lock, before the announcement is
 * acknowledged. A change that was written but could not be announced still succeeds (logged).
 */
public final class SharedReservationLedger implements ReservationLedger {
    private static final Logger log = LoggerFactory.getLogger(SharedReservationLedger.class);
    /** Compare-and-swap attempts before a change gives up (BUSY for the initiator to retry). */
    static final int ATTEMPTS = 64;

    private final SharedRecord record;
    private final UnitAttentions attentions;
    private final Consumer<List<Nexus>> abortTasks;
    private volatile ReservationState state;

    private SharedReservationLedger(SharedRecord record, UnitAttentions attentions, Consumer<List<Nexus>> abortTasks,
            ReservationState initial) {
        this.record = record;
        this.attentions = attentions;
        this.abortTasks = abortTasks;
        this.state = initial;
    }

    /**
     * Reads the record and follows its changes from now on. Attentions logged before now are not
     * raised (the I_T nexuses of this process are new).
     *
     * @param attentions the LU's unit attentions
     * @param abortTasks aborts the LU's tasks of these nexuses and returns when they ended: another
     *     gateway's PREEMPT AND ABORT ({@link TaskManager#abortPreemptedElsewhere}); runs without the
     *     ledger's lock, before the announcement is acknowledged
     * @throws IOException when the record cannot be read, decoded or followed
     */
    public static SharedReservationLedger follow(SharedRecord record, UnitAttentions attentions,
            Consumer<List<Nexus>> abortTasks) throws IOException {
        SharedReservationLedger l = new SharedReservationLedger(record, attentions, abortTasks,
                ReservationCodec.decode(record.read().value()));
        record.follow(l::refreshQuietly);
        l.refresh(); // anything written between the first read and the watch
        return l;
    }

    @Override
    public ReservationState current() {
        return state;
    }

    @Override
    public boolean persistsThroughPowerLoss() {
        return true;
    }

    @Override
    public Change apply(ReservationRules.Transition transition) throws ScsiException, IOException {
        Change done = null;
        List<Nexus> abort = new ArrayList<>();
        try {
            synchronized (this) {
                for (int attempt = 0; attempt < ATTEMPTS && done == null; attempt++) {
                    SharedRecord.Versioned v = record.read();
                    ReservationState s = decodeAndCatchUp(v, abort);
                    Change c = transition.apply(s);
                    if (c.state().sameReservations(s) && c.attentions().isEmpty()) {
                        return new Change(s, c.attentions(), c.preempted()); // nothing to write or announce
                    }
                    ReservationState next = c.state().logged(c.attentions());
                    if (record.replace(v.version(), ReservationCodec.encode(next))) {
                        catchUp(next, new ArrayList<>()); // its own aborts are the caller's
                        done = new Change(next, c.attentions(), c.preempted());
                    }
                }
            }
        } finally {
            abortOutsideTheLock(abort); // other gateways' PREEMPT AND ABORTs seen on the way
        }
        if (done == null) {
            throw new ScsiException(ScsiStatus.BUSY, null);
        }
        try {
            record.announce(); // outside the lock: the others' refreshes may announce nothing back
        } catch (IOException e) {
            // the change is made: the command succeeded; the others catch up when their watch is back
            log.warn("{}: a reservation change was made but not announced: {}", record.describe(), e.getMessage());
        }
        return done;
    }

    private void abortOutsideTheLock(List<Nexus> abort) {
        if (!abort.isEmpty()) {
            abortTasks.accept(List.copyOf(new LinkedHashSet<>(abort)));
        }
    }

    /** Re-reads the record after another gateway's announcement. */
    private void refreshQuietly() {
        try {
            refresh();
        } catch (IOException e) {
            log.warn("{}: cannot follow a reservation change: {}", record.describe(), e.getMessage());
        }
    }

    void refresh() throws IOException {
        List<Nexus> abort = new ArrayList<>();
        try {
            synchronized (this) {
                decodeAndCatchUp(record.read(), abort);
            }
        } finally {
            abortOutsideTheLock(abort);
        }
    }

    private ReservationState decodeAndCatchUp(SharedRecord.Versioned v, List<Nexus> abort) throws IOException {
        ReservationState s;
        try {
            s = ReservationCodec.decode(v.value());
        } catch (ReservationCodec.UnreadableRecordException e) {
            throw new ReservationCodec.UnreadableRecordException(record.describe() + ": " + e.getMessage());
        }
        catchUp(s, abort);
        return s;
    }

    /**
     * Makes {@code s} current and raises the attentions of its changes this gateway has not seen,
     * adding to {@code abort} the nexuses whose tasks those changes abort.
     */
    private void catchUp(ReservationState s, List<Nexus> abort) {
        long seen = state.sequence();
        if (s.sequence() == seen) {
            return;
        }
        if (s.sequence() < seen) { // the record was removed and written anew: take it as it is
            log.warn("{}: the reservation record went back from change {} to {}; following it", record.describe(),
                    seen, s.sequence());
            state = s;
            return;
        }
        if (s.sequence() - seen > ReservationState.LOG_CHANGES) {
            log.warn("{}: {} reservation changes since this gateway last read the record; the unit attentions of"
                    + " the oldest are lost", record.describe(), s.sequence() - seen);
        }
        for (LoggedAttention a : s.recent()) {
            if (a.sequence() > seen) {
                attentions.establishIfKnown(a.nexus(), a.sense());
                if (a.abortTasks()) {
                    abort.add(a.nexus());
                }
            }
        }
        state = s;
    }

    @Override
    public void close() {
        record.close();
    }
}
