package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunAddress;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TaskManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management requests (RFC 7143 11.5): the iSCSI side of the core's {@link TaskManager}.
 * Commands that entered a task set are aborted by the core (SAM-5 5.6, with TAS); commands still
 * waiting for an earlier CmdSN are dropped here, since no task set holds them yet. The response
 * goes out once every aborted command has ended, without holding any thread meanwhile.
 *
 * <p>LOGICAL UNIT RESET and TARGET WARM/COLD RESET reach other initiators' commands, reservations
 * and (cold) sessions, so each is first checked against what this initiator was granted
 * ({@link LunMap#mayResetLogicalUnit}, {@link LunMap#mayResetTarget}); a refused one is answered
 * "Function authorization failed" (RFC 7143 11.6.1, response 6) and changes nothing.
 */
final class TaskManagement {
    private static final Logger log = LoggerFactory.getLogger(TaskManagement.class);

    private final IscsiServer server;

    TaskManagement(IscsiServer server) {
        this.server = server;
    }

    /** Performs the function (on the requesting connection's thread); {@code respond} gets the response code. */
    void perform(Connection c, TaskMgmtRequest t, IntConsumer respond) {
        Session s = c.session();
        TaskManager tm = server.core().taskManager();
        int lun = LunAddress.decode(t.lun());
        if (!authorized(s, t.function(), lun)) {
            respond.accept(TaskMgmtResponse.AUTHORIZATION_FAILED);
            return;
        }
        switch (t.function()) {
            case TaskMgmtRequest.ABORT_TASK -> abortTask(c, t, respond);
            case TaskMgmtRequest.ABORT_TASK_SET, TaskMgmtRequest.CLEAR_TASK_SET -> {
                LunMapping m = s.lunMap.get(lun);
                if (m == null) {
                    respond.accept(TaskMgmtResponse.LUN_DOES_NOT_EXIST);
                    return;
                }
                c.scheduler().dropWaiting(x -> x.lun == lun);
                tm.abortTaskSet(m.unit(), s.nexus).whenEnded(() -> respond.accept(TaskMgmtResponse.COMPLETE));
            }
            case TaskMgmtRequest.LOGICAL_UNIT_RESET -> {
                LunMapping m = s.lunMap.get(lun);
                if (m == null) {
                    respond.accept(TaskMgmtResponse.LUN_DOES_NOT_EXIST);
                    return;
                }
                log.info("LUN reset of {} by {}", m.unit().name(), s.nexus);
                LogicalUnit lu = m.unit();
                dropWaitingEverywhere(other -> x -> unitOf(other, x.lun) == lu);
                tm.resetLogicalUnit(lu, s.nexus).whenEnded(() -> respond.accept(TaskMgmtResponse.COMPLETE));
            }
            case TaskMgmtRequest.TARGET_WARM_RESET, TaskMgmtRequest.TARGET_COLD_RESET -> {
                log.info("target {} reset of {} by {}", t.function() == TaskMgmtRequest.TARGET_WARM_RESET ? "warm"
                        : "cold", s.target.name(), s.nexus);
                List<LogicalUnit> units = unitsOf(s.target);
                dropWaitingEverywhere(other -> x -> units.contains(unitOf(other, x.lun)));
                tm.resetTarget(units, s.nexus).whenEnded(() -> respond.accept(TaskMgmtResponse.COMPLETE));
            }
            case TaskMgmtRequest.TASK_REASSIGN -> respond.accept(TaskMgmtResponse.REASSIGNMENT_NOT_SUPPORTED);
            case TaskMgmtRequest.CLEAR_ACA -> respond.accept(TaskMgmtResponse.NOT_SUPPORTED);
            default -> respond.accept(TaskMgmtResponse.REJECTED);
        }
    }

    /**
     * Whether the session's initiator may perform {@code function} (on {@code lun}); logs one
     * WARN line when not. A LOGICAL UNIT RESET of an unmapped LUN passes here and is answered
     * "LUN does not exist" by {@link #perform}; functions that reach no other initiator always pass.
     */
    static boolean authorized(Session s, int function, int lun) {
        LunMap map = s.lunMap;
        switch (function) {
            case TaskMgmtRequest.LOGICAL_UNIT_RESET -> {
                LunMapping m = map.get(lun);
                if (m == null || map.mayResetLogicalUnit(lun)) {
                    return true;
                }
                log.warn("refused LUN reset of LUN {} ({}) of {} by {}: {}", lun, m.unit().name(), s.target.name(),
                        s.initiatorName, map.resets() != null ? "its ACL says \"resets\": false"
                                : "its mapping is read-only");
                return false;
            }
            case TaskMgmtRequest.TARGET_WARM_RESET, TaskMgmtRequest.TARGET_COLD_RESET -> {
                if (map.mayResetTarget()) {
                    return true;
                }
                log.warn("refused target {} reset of {} by {}: {}",
                        function == TaskMgmtRequest.TARGET_WARM_RESET ? "warm" : "cold", s.target.name(),
                        s.initiatorName, map.resets() != null ? "its ACL says \"resets\": false"
                                : map.isEmpty() ? "it maps no LUN" : "one of its mappings is read-only");
                return false;
            }
            default -> {
                return true;
            }
        }
    }

    private void abortTask(Connection c, TaskMgmtRequest t, IntConsumer respond) {
        Session s = c.session();
        IscsiTask task = c.scheduler().find(t.referencedTaskTag());
        if (task == null || task.pdu.lun() != t.lun()) {
            // RFC 7143 11.5.1: a referenced command that never arrived, whose RefCmdSN is in the
            // window and below this request's CmdSN, is considered received: ExpCmdSN moves past
            // it and "Function complete" is answered. One that already completed no longer exists.
            if (s.window.considerReceived(t.refCmdSn(), t.cmdSn())) {
                respond.accept(TaskMgmtResponse.COMPLETE);
            } else {
                respond.accept(s.window.alreadyReceived(t.refCmdSn()) ? TaskMgmtResponse.TASK_DOES_NOT_EXIST
                        : TaskMgmtResponse.COMPLETE);
            }
            return;
        }
        if (task.stage == IscsiTask.Stage.RECEIVED) {
            c.scheduler().dropWaiting(x -> x == task);
            respond.accept(TaskMgmtResponse.COMPLETE);
            return;
        }
        TaskManager.Aborted a = task.scsi == null ? null : server.core().taskManager().abortTask(task.scsi, s.nexus);
        if (a == null || a.tasks().isEmpty()) {
            respond.accept(TaskMgmtResponse.TASK_DOES_NOT_EXIST); // its response is already on the wire
            return;
        }
        a.whenEnded(() -> respond.accept(TaskMgmtResponse.COMPLETE));
    }

    /**
     * Drops, in every session, the commands still waiting for an earlier CmdSN that a reset
     * covers; each connection does it on its own thread.
     */
    private void dropWaitingEverywhere(java.util.function.Function<Session, Predicate<IscsiTask>> which) {
        for (Connection other : server.connections()) {
            Session os = other.session();
            if (os == null || os.discovery || other.scheduler() == null) {
                continue;
            }
            Predicate<IscsiTask> p = which.apply(os);
            other.post(() -> other.scheduler().dropWaiting(p));
        }
    }

    private static LogicalUnit unitOf(Session s, int lun) {
        LunMap map = s.lunMap;
        LunMapping m = map == null ? null : map.get(lun);
        return m == null ? null : m.unit();
    }

    private static List<LogicalUnit> unitsOf(Target t) {
        List<LogicalUnit> out = new ArrayList<>();
        List<LunMap> maps = new ArrayList<>(t.acls().values());
        if (t.demoLuns() != null) {
            maps.add(t.demoLuns());
        }
        for (LunMap m : maps) {
            for (LunMapping lm : m.mappings()) {
                if (!out.contains(lm.unit())) {
                    out.add(lm.unit());
                }
            }
        }
        return out;
    }
}
