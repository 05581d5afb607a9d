package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiLimits;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.TaskOrder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Decides when each SCSI command of a session may move on (RFC 7143 3.2.2.1, SAM-5 8.6): it is
 * delivered in CmdSN order, enters its task set, collects its Data-Out (R2Ts go out only while
 * the {@link DataBudget} has room for the data and, once it is in its task set, while its task
 * attribute would let it start), waits for its task attribute to allow it and, for a read, for
 * room for its Data-In; then it is handed to the {@link Runner}. A command held back by an older
 * task of its task set thus takes no budget that the older task may be waiting for. It also ends
 * commands that were aborted or dropped and gives back their window slot, buffers and budget.
 * The Data-Out PDUs themselves (R2Ts out, segments in) are its {@link DataOutExchange}'s.
 *
 * <p>Threads: arrivals and Data-Out come from the connection's thread; commands end on whichever
 * thread sent their last PDU. State is guarded by this object's lock, which is never held while a
 * command runs or while another session's lock is taken.
 */
final class CommandScheduler {
    /** Where commands run, and how other threads reach the connection's thread. */
    interface Runner {
        /** Runs the command (on the connection's thread or a worker), then sends its response. */
        void start(IscsiTask t);

        /** Ends a command that was aborted before it ran: TASK ABORTED status or nothing. */
        void endAborted(IscsiTask t);

        /** Runs {@code r} on the connection's thread, between PDUs. */
        void post(Runnable r);
    }

    private final Session session;
    private final ScsiCore core;
    private final Runner runner;
    private final CommandBudget budget;
    private final Map<Integer, IscsiTask> tasks = new HashMap<>();
    private final Map<Integer, TaskOrder<IscsiTask>> orders = new HashMap<>();
    private final DataOutExchange dataOut;

    CommandScheduler(Session session, ScsiCore core, Outbox outbox, DataBudget budget, Runner runner) {
        this.session = session;
        this.core = core;
        this.runner = runner;
        this.budget = new CommandBudget(budget, session.account, () -> runner.post(this::budgetReleased));
        this.dataOut = new DataOutExchange(session, outbox, tasks::get, this::tryStart, this::solicit, t -> {
            this.budget.remove(t);
            tryStart(t);
        });
    }

    // ---------------------------------------------------------------- arrival

    /** Whether a command with this initiator task tag is still live (RFC 7143: ITTs are unique). */
    synchronized boolean inUse(int itt) {
        return tasks.containsKey(itt);
    }

    /**
     * A command arrived (its immediate data, if any, already in {@code t.dataBuffer}). Immediate
     * commands were admitted by {@link CmdSnWindow#tryImmediate}. Returns false when its CmdSN
     * is outside the window: it was dropped.
     */
    boolean arrive(IscsiTask t, int immediateBytes, boolean unsolicitedAllowed) {
        if (!t.immediate && !session.window.canAccept(t.pdu.cmdSn())) {
            release(t); // outside the window: dropped before anything was asked or counted for it
            return false;
        }
        synchronized (this) {
            tasks.put(t.itt, t);
            if (t.collector != null) {
                // Unasked data: the unsolicited burst when one may follow, else just the immediate data.
                long unasked = unsolicitedAllowed ? Math.min(session.params.firstBurstLength(), t.expected)
                        : immediateBytes;
                session.account.force(unasked);
                t.forced = unasked;
                t.budgetWanted = t.expected - unasked;
                t.lastDataNanos = System.nanoTime();
            }
        }
        if (t.immediate) {
            deliver(t); // asks for its data once its task attribute lets it
            return true;
        }
        if (session.window.takeNext(t.pdu.cmdSn())) {
            deliver(t); // in order: no need to queue it
            return true;
        }
        if (session.window.accept(t.pdu.cmdSn(), () -> deliver(t))) {
            synchronized (this) {
                if (t.collector != null && t.stage == IscsiTask.Stage.RECEIVED) {
                    solicit(t); // behind a CmdSN gap: its data may come while it waits
                }
            }
            return true;
        }
        synchronized (this) {
            tasks.remove(t.itt, t);
            t.stage = IscsiTask.Stage.ENDED;
        }
        release(t);
        return false;
    }

    /** The command's turn in CmdSN order came: it enters its task set. */
    private void deliver(IscsiTask t) {
        synchronized (this) {
            if (t.stage == IscsiTask.Stage.ENDED) {
                if (!t.immediate) {
                    session.window.completed(); // dropped before its turn: its slot is free at once
                }
                return;
            }
            t.stage = IscsiTask.Stage.IN_TASK_SET;
            ScsiTask s = new ScsiTask(core, session.nexus, session.lunMap, t.lun, new Cdb(t.pdu.cdb()),
                    t.itt & 0xFFFFFFFFL, x -> runner.post(() -> aborted(t)));
            t.scsi = s;
            t.quick = core.quick(s);
            t.startable = !t.quick && core.startable(s);
            core.enter(s);
            orders.computeIfAbsent(t.lun, k -> new TaskOrder<>(x -> x.attribute)).enter(t);
            tryStart(t);
        }
    }

    /** Whether the command is in its task set, not aborted, and its task attribute lets it start. */
    private boolean hasTurn(IscsiTask t) {
        return t.stage == IscsiTask.Stage.IN_TASK_SET && !t.scsi.isAborted() && orders.get(t.lun).mayStart(t);
    }

    /**
     * Starts the command if it has its turn, its data and, for a read, room for its Data-In; a
     * write that has its turn but not all its data asks for the rest.
     */
    private void tryStart(IscsiTask t) {
        if (!hasTurn(t)) {
            return;
        }
        if (t.failure == null && !t.dataComplete()) {
            solicit(t);
            return;
        }
        if (t.failure == null && t.pdu.read() && t.expected > 0 && t.budget == 0) {
            long want = Math.min(t.expected, ScsiLimits.MAX_TRANSFER_BYTES);
            if (!reserve(t, want)) {
                budget.await(t);
                return;
            }
            t.budget = want;
        }
        t.stage = IscsiTask.Stage.RUNNING;
        runner.start(t);
    }

    // ---------------------------------------------------------------- Data-Out

    /**
     * Sends the R2Ts the command may have outstanding now, once its data has room in the budget.
     * A command in its task set that its task attribute holds back asks for nothing yet: the
     * budget it took could be the room an older task it waits for needs, and neither would move.
     */
    private void solicit(IscsiTask t) {
        if (t.failure != null || t.collector.failure() != null) {
            return;
        }
        if (t.stage != IscsiTask.Stage.RECEIVED && !hasTurn(t)) {
            return; // asked again once the older tasks ended (tryStart)
        }
        if (t.budgetWanted > 0) {
            if (!reserve(t, t.budgetWanted)) {
                budget.await(t);
                return;
            }
            t.budget += t.budgetWanted;
            t.budgetWanted = 0;
        }
        dataOut.sendR2ts(t);
    }

    /**
     * A Data-Out header was read: where its data segment goes. Returns a slice of the command's
     * buffer at the PDU's offset when the rules accept it, else null (the data is discarded).
     */
    synchronized ByteBuffer placeDataOut(Bhs h, int length) {
        return dataOut.place(h, length);
    }

    /**
     * A Data-Out arrived whole. Returns the reason to answer it with a Reject PDU, or null.
     * Data for a command that does not exist (any more) is dropped silently (RFC 7143 11.7).
     */
    synchronized String dataOutArrived(DataOut d) {
        return dataOut.arrived(d);
    }

    /** The Data-Out whose header was placed failed its data digest: its command fails. */
    synchronized void dataOutCorrupt() {
        dataOut.corrupt();
    }

    // ---------------------------------------------------------------- budget

    /** Reserves budget for a command ({@link CommandBudget#reserve}: the oldest that can run is never starved). */
    private boolean reserve(IscsiTask t, long bytes) {
        return budget.reserve(t, bytes, tasks.values(), this::hasTurn);
    }

    /** Bytes came back somewhere: commands waiting for budget try again, oldest first. */
    private synchronized void budgetReleased() {
        budget.retry(t -> {
            if (t.budgetWanted > 0) {
                solicit(t);
            } else {
                tryStart(t);
            }
        });
    }

    // ---------------------------------------------------------------- ending

    /**
     * The command is done (its response is about to be queued, or it was aborted): its window
     * slot and ITT are given back, so the response already carries the wider MaxCmdSN. The
     * tasks its attribute held back start only after its response is queued ({@link #responded}),
     * so an ORDERED task's status goes out before any younger task's (SAM-5 8.6). Its buffers go
     * back later, by {@link #release}, once the response is on the wire.
     */
    private void complete(IscsiTask t) {
        boolean entered;
        synchronized (this) {
            if (t.stage == IscsiTask.Stage.ENDED) {
                return;
            }
            entered = t.stage != IscsiTask.Stage.RECEIVED;
            t.stage = IscsiTask.Stage.ENDED;
            tasks.remove(t.itt, t);
            budget.remove(t);
        }
        if (entered && !t.immediate) {
            session.window.completed();
        }
    }

    /**
     * Ends a command that ran, in the order SAM-5 8.6 and RFC 7143 3.2.2.1 need: its window slot
     * first ({@link #complete}), then its response, queued by {@code respond} (which gets what to
     * run once the response is on the wire), then the tasks it held back.
     */
    void finish(IscsiTask t, java.util.function.Consumer<Runnable> respond) {
        complete(t);
        respond.accept(() -> release(t));
        responded(t);
    }

    /** Ends a command the task manager aborted: TASK ABORTED status (TAS=1, another nexus) or nothing. */
    void finishAborted(IscsiTask t, ResponseWriter responses) {
        if (t.scsi.abortOutcome() == io.xtarget.scsi.AbortOutcome.TASK_ABORTED_STATUS) {
            finish(t, onSent -> responses.taskAborted(t, onSent));
        } else {
            complete(t);
            responded(t);
            release(t);
        }
    }

    /** The command's response is queued (or it sends none): the tasks it held back may start. */
    private void responded(IscsiTask t) {
        synchronized (this) {
            TaskOrder<IscsiTask> order = orders.get(t.lun);
            if (t.scsi == null || order == null) {
                return;
            }
            List<IscsiTask> next = order.leave(t);
            if (order.isEmpty()) {
                orders.remove(t.lun);
            }
            for (IscsiTask n : next) {
                tryStart(n);
            }
        }
    }

    /**
     * Gives back what an ended command held (its last PDU is on the wire, or it sends none):
     * buffers, budget, and its place in the LU's task set, which ends task management's wait.
     */
    void release(IscsiTask t) {
        if (t.immediate) {
            session.window.immediateCompleted();
        }
        if (t.scsi != null) {
            t.scsi.release();
            t.scsi.end();
        }
        synchronized (this) {
            dataOut.releaseBuffer(t); // not while a Data-Out segment is still being read into it
        }
        long reserved;
        long forced;
        synchronized (this) {
            reserved = t.budget;
            forced = t.forced;
            t.budget = 0;
            t.forced = 0;
        }
        session.account.release(reserved, forced);
    }

    /** The task manager aborted the command (on the connection's thread, between PDUs). */
    private void aborted(IscsiTask t) {
        synchronized (this) {
            if (t.stage != IscsiTask.Stage.IN_TASK_SET) {
                return; // running: its runner ends it; ended: nothing to do
            }
            t.stage = IscsiTask.Stage.RUNNING;
            budget.remove(t);
            if (t.collector != null) {
                t.collector.fail(new DataOutCollector.Violation(null, "aborted")); // no more Data-Out lands
            }
        }
        runner.endAborted(t);
    }

    // ---------------------------------------------------------------- task management

    synchronized IscsiTask find(int itt) {
        return tasks.get(itt);
    }

    /**
     * Drops commands that have not entered their task set yet (they wait for an earlier CmdSN)
     * and match {@code which}: they never run and send nothing; their CmdSN still counts.
     */
    List<IscsiTask> dropWaiting(Predicate<IscsiTask> which) {
        List<IscsiTask> dropped = new ArrayList<>();
        synchronized (this) {
            for (IscsiTask t : List.copyOf(tasks.values())) {
                if (t.stage == IscsiTask.Stage.RECEIVED && which.test(t)) {
                    t.droppedEarly = true;
                    t.stage = IscsiTask.Stage.ENDED;
                    tasks.remove(t.itt, t);
                    budget.remove(t);
                    dropped.add(t);
                }
            }
        }
        dropped.forEach(this::release);
        return dropped;
    }

    /** Commands waiting for Data-Out they were asked for, with no data for longer than {@code nanos}. */
    synchronized boolean dataOutOverdue(long now, long nanos) {
        for (IscsiTask t : tasks.values()) {
            if (t.collector != null && t.collector.awaitingSolicited() && now - t.lastDataNanos > nanos) {
                return true;
            }
        }
        return false;
    }

    /** The connection is gone: commands not yet in a task set are dropped (the rest are aborted by nexus loss). */
    void close() {
        dropWaiting(t -> true);
        synchronized (this) {
            dataOut.end(); // the connection reads no more: a buffer held back for a segment goes back
        }
    }

    synchronized int liveTasks() {
        return tasks.size();
    }
}
