package io.xtarget.scsi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task manager (SAM-5 7): the one place that aborts tasks, for task management functions
 * (ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL UNIT RESET, target reset), I_T nexus
 * loss and PERSISTENT RESERVE OUT PREEMPT AND ABORT.
 *
 * <p>How an aborted task ends follows SAM-5 5.6: a task aborted at the request of its own I_T
 * nexus ends silently; one aborted by an action of another I_T nexus ends with TASK ABORTED
 * status when its LU's TAS bit is one, else silently, and its nexus then gets COMMANDS CLEARED BY
 * ANOTHER INITIATOR (2F/00) unless the event queues its own unit attention for it (a reset's
 * 29/xx, PREEMPT AND ABORT's 2A/05).
 */
public final class TaskManager {
    private static final Logger log = LoggerFactory.getLogger(TaskManager.class);

    /** The other gateways of this server's LUs, told of every reset performed here; null: none. */
    private volatile PeerResets peerResets;

    /** Sets who is told of the resets performed here (a gateway's peers), or null for nobody. */
    public void setPeerResets(PeerResets peers) {
        this.peerResets = peers;
    }

    /** The tasks one function aborted; done when each of them has ended (and the peers were told, for a reset). */
    public static final class Aborted {
        private final List<ScsiTask> tasks;
        /** Done when the other gateways performed the same reset (already done when there is nothing to tell). */
        private final CompletableFuture<Void> peers;

        Aborted(List<ScsiTask> tasks) {
            this(tasks, CompletableFuture.completedFuture(null));
        }

        Aborted(List<ScsiTask> tasks, CompletableFuture<Void> peers) {
            this.tasks = List.copyOf(tasks);
            this.peers = peers;
        }

        public List<ScsiTask> tasks() {
            return tasks;
        }

        /**
         * Runs {@code r} once every aborted task has ended and, for a reset, the other gateways
         * performed it too (at once when there is nothing to wait for).
         */
        public void whenEnded(Runnable r) {
            if (!peers.isDone()) {
                peers.whenComplete((v, e) -> whenEnded(r));
                return;
            }
            if (tasks.isEmpty()) {
                r.run();
                return;
            }
            AtomicInteger left = new AtomicInteger(tasks.size());
            for (ScsiTask t : tasks) {
                t.whenEnded(() -> {
                    if (left.decrementAndGet() == 0) {
                        r.run();
                    }
                });
            }
        }

        /** Waits until every aborted task has ended; false on timeout. */
        public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
            CountDownLatch l = new CountDownLatch(1);
            whenEnded(l::countDown);
            return l.await(timeout, unit);
        }
    }

    /**
     * Aborts {@code victims} on behalf of {@code requester}. A task whose status is already
     * being sent, or that ended, is left alone (it is not in the result).
     *
     * @param eventAttention whether the event queues its own unit attention for the victims'
     *     nexuses, so COMMANDS CLEARED BY ANOTHER INITIATOR is not added
     */
    public Aborted abort(Collection<ScsiTask> victims, Nexus requester, boolean eventAttention) {
        List<ScsiTask> aborted = new ArrayList<>();
        for (ScsiTask t : victims) {
            boolean own = t.nexus().equals(requester);
            LogicalUnit lu = t.lu();
            boolean tas = lu != null && lu.mode().taskAbortedStatus;
            AbortOutcome outcome = !own && tas ? AbortOutcome.TASK_ABORTED_STATUS : AbortOutcome.SILENT;
            if (t.tryAbort(outcome)) {
                aborted.add(t);
                if (!own && !tas && !eventAttention && lu != null) {
                    lu.unitAttentions().establish(t.nexus(), UnitAttentions.COMMANDS_CLEARED_BY_ANOTHER);
                }
            }
        }
        return new Aborted(aborted);
    }

    /** ABORT TASK (SAM-5 7.2) of a task in a task set, requested by its own nexus. */
    public Aborted abortTask(ScsiTask task, Nexus requester) {
        return abort(List.of(task), requester, false);
    }

    /**
     * ABORT TASK SET and CLEAR TASK SET (SAM-5 7.3, 7.4). With TST 001b each I_T nexus has its
     * own task set, so both abort the requester's tasks on the LU and no other nexus's.
     */
    public Aborted abortTaskSet(LogicalUnit lu, Nexus requester) {
        return abort(lu.tasks().select(t -> t.nexus().equals(requester)), requester, false);
    }

    /**
     * LOGICAL UNIT RESET (SAM-5 6.3.3, 7.7): aborts every task of the LU, releases an SPC-2
     * reservation (persistent ones survive, SPC-4 5.12.1), ends PREVENT ALLOW MEDIUM REMOVAL
     * (SPC-4 6.13) and queues LOGICAL UNIT RESET OCCURRED (29/03) for every I_T nexus that
     * exists now, the requester's included. On a gateway the other gateways of the LU do the same
     * for their nexuses ({@link PeerResets}); the result is done when they have.
     */
    public Aborted resetLogicalUnit(LogicalUnit lu, Nexus requester) {
        return reset(List.of(lu), requester, PeerResets.Kind.LOGICAL_UNIT);
    }

    /**
     * TARGET WARM/COLD RESET (RFC 7143 11.5.1; SAM-5 6.3.2 hard reset): a logical unit reset of
     * every LU of the target, with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED (29/00).
     */
    public Aborted resetTarget(Collection<LogicalUnit> units, Nexus requester) {
        return reset(units, requester, PeerResets.Kind.TARGET);
    }

    /**
     * A reset another gateway of the LU performed ({@link PeerResets}): the same as a reset
     * arriving here, for this gateway's nexuses of the LU, requested by a nexus that is none of
     * them (its tasks end as aborted by another initiator, SAM-5 5.6); nothing is announced back.
     * The SPC-2 reservation is left alone: the gateways share it ({@link Reservations} on their
     * shared ledger), and the gateway the reset arrived at released it already.
     */
    public Aborted resetByPeer(LogicalUnit lu, PeerResets.Kind kind) {
        return resetHere(List.of(lu), null, kind.attention(), false);
    }

    private Aborted reset(Collection<LogicalUnit> units, Nexus requester, PeerResets.Kind kind) {
        Aborted here = resetHere(units, requester, kind.attention(), true);
        PeerResets peers = peerResets;
        if (peers == null || units.isEmpty()) {
            return here;
        }
        List<LogicalUnit> reset = List.copyOf(units);
        CompletableFuture<Void> told = CompletableFuture.runAsync(() -> peers.announce(reset, kind),
                command -> Thread.ofVirtual().name("xt-peer-reset").start(command));
        return new Aborted(here.tasks(), told);
    }

    private Aborted resetHere(Collection<LogicalUnit> units, Nexus requester, Sense attention,
            boolean releaseReservation) {
        List<ScsiTask> victims = new ArrayList<>();
        for (LogicalUnit lu : units) {
            victims.addAll(lu.tasks().select(t -> true));
        }
        Aborted a = abort(victims, requester, true);
        for (LogicalUnit lu : units) {
            if (releaseReservation) {
                lu.reservations().reset();
            }
            lu.medium().clearPreventions();
            lu.unitAttentions().establishForAll(attention, null);
        }
        return a;
    }

    /**
     * PREEMPT AND ABORT (SPC-4 5.12.11.2.6): aborts the tasks of the preempted nexuses on the LU,
     * except the PERSISTENT RESERVE OUT command itself, and waits (bounded) until they ended, so
     * the command completes after them. Their nexuses already hold REGISTRATIONS PREEMPTED.
     */
    public void preemptAndAbort(LogicalUnit lu, Collection<Nexus> preempted, ScsiTask command) {
        if (preempted.isEmpty()) {
            return;
        }
        List<ScsiTask> victims = lu.tasks().select(t -> t != command && preempted.contains(t.nexus()));
        Aborted a = abort(victims, command.nexus(), true);
        awaitQuietly(a, "PREEMPT AND ABORT on " + lu.name());
    }

    /**
     * PREEMPT AND ABORT that another gateway of the LU ran (SPC-4 5.12.11.2.6, the shared
     * ledger's {@link SharedReservationLedger}): the preempted nexuses' tasks on the LU here are
     * aborted, and this returns when they ended (bounded), so that the other gateway's command
     * completes after them. Nexuses with no task here change nothing.
     */
    public static void abortPreemptedElsewhere(LogicalUnit lu, Collection<Nexus> preempted) {
        List<ScsiTask> victims = lu.tasks().select(t -> preempted.contains(t.nexus()));
        if (!victims.isEmpty()) {
            awaitQuietly(new TaskManager().abort(victims, null, true), "PREEMPT AND ABORT through another gateway on "
                    + lu.name());
        }
    }

    /**
     * I_T nexus loss (SAM-5 6.3.4): its tasks are aborted (nothing can be sent to it any more),
     * its SPC-2 reservation released and its PREVENTs ended on every LU it could reach.
     */
    public Aborted nexusLost(Nexus nexus, LunMap lunMap) {
        List<ScsiTask> victims = new ArrayList<>();
        if (lunMap != null) {
            for (LunMapping m : lunMap.mappings()) {
                LogicalUnit lu = m.unit();
                victims.addAll(lu.tasks().select(t -> t.nexus().equals(nexus)));
            }
        }
        Aborted a = abort(victims, nexus, true);
        if (lunMap != null) {
            for (LunMapping m : lunMap.mappings()) {
                m.unit().reservations().nexusLost(nexus);
                m.unit().medium().nexusLost(nexus);
                m.unit().unitAttentions().detach(nexus);
            }
        }
        return a;
    }

    /** Waits for aborted tasks, logging (not failing) when they do not stop within 30 s. */
    static void awaitQuietly(Aborted a, String what) {
        try {
            if (!a.await(30, TimeUnit.SECONDS)) {
                log.warn("{}: aborted tasks did not end within 30 s", what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
