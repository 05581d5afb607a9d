package io.xtarget.iscsi;

import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Hands a session's share of the {@link DataBudget} to its commands: a reservation is taken (never
 * starving the oldest command that can run), or the command waits in line; when bytes come back
 * anywhere, the line is retried oldest first. One watch on the budget is armed while anyone waits.
 *
 * <p>Not thread-safe: guarded by the owning {@link CommandScheduler}'s lock.
 */
final class CommandBudget {
    private final DataBudget budget;
    private final DataBudget.Account account;
    /** Run (on any thread) once bytes came back after a refusal: must get {@link #retry} called. */
    private final Runnable onRelease;
    /** Commands waiting for budget: for their R2Ts (writes) or their start (reads), oldest first. */
    private final ArrayDeque<IscsiTask> waiting = new ArrayDeque<>();
    private boolean watching;

    CommandBudget(DataBudget budget, DataBudget.Account account, Runnable onRelease) {
        this.budget = budget;
        this.account = account;
        this.onRelease = onRelease;
    }

    /**
     * Reserves budget for a command. When the session's bound refuses it although the command
     * has its turn, and every reservation among {@code live} belongs to a command that cannot
     * move before this one (held back by its task attribute, or behind a CmdSN gap), waiting
     * would never end: the command then takes its bytes anyway, so the oldest command that can
     * run is never starved by younger ones.
     */
    boolean reserve(IscsiTask t, long bytes, Iterable<IscsiTask> live, Predicate<IscsiTask> hasTurn) {
        if (account.tryReserve(bytes)) {
            return true;
        }
        if (t.stage == IscsiTask.Stage.RECEIVED || !hasTurn.test(t)) {
            return false;
        }
        for (IscsiTask x : live) {
            if (x != t && x.budget > 0 && (x.stage == IscsiTask.Stage.RUNNING || hasTurn.test(x))) {
                return false; // a holder that can go on: its bytes come back
            }
        }
        account.reserveAnyway(bytes);
        return true;
    }

    /** The command waits (keeping its place when it already did) until bytes come back. */
    void await(IscsiTask t) {
        if (!waiting.contains(t)) {
            waiting.addLast(t);
        }
        watch();
    }

    /** The command waits no more (it ended, failed or was aborted). */
    void remove(IscsiTask t) {
        waiting.remove(t);
    }

    /**
     * Bytes came back somewhere: {@code tryAgain} gets the waiting commands, oldest first; the
     * first one that waits again keeps its place at the head and ends the round.
     */
    void retry(Consumer<IscsiTask> tryAgain) {
        watching = false;
        while (!waiting.isEmpty()) {
            IscsiTask t = waiting.pollFirst();
            if (t.stage == IscsiTask.Stage.ENDED) {
                continue;
            }
            int before = waiting.size();
            tryAgain.accept(t);
            if (waiting.size() > before) {
                waiting.remove(t);
                waiting.addFirst(t); // still waiting: keep its place, stop here
                break;
            }
        }
        if (!waiting.isEmpty()) {
            watch();
        }
    }

    private void watch() {
        if (!watching) {
            watching = true;
            budget.whenReleased(onRelease);
        }
    }
}
