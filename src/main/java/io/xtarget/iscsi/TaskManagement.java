package io.xtarget.iscsi;

import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.iscsi.pdu.TaskMgmtResponse;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunAddress;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.UnitAttentions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Task management functions (RFC 7143 11.5, SAM-5 7): aborts tasks (they send no response), and
 * resets logical units (reservations released, a unit attention for every I_T nexus).
 */
final class TaskManagement {
    private static final Logger log = LoggerFactory.getLogger(TaskManagement.class);
    private static final long ABORT_WAIT_SECONDS = 30;

    private final IscsiServer server;

    TaskManagement(IscsiServer server) {
        this.server = server;
    }

    /** Performs the function and returns the TMF response code. */
    int perform(Connection c, TaskMgmtRequest t) {
        Session s = c.session();
        int lun = LunAddress.decode(t.lun());
        return switch (t.function()) {
            case TaskMgmtRequest.ABORT_TASK -> abortTask(c, t);
            case TaskMgmtRequest.ABORT_TASK_SET, TaskMgmtRequest.CLEAR_TASK_SET -> {
                if (s.lunMap.get(lun) == null) {
                    yield TaskMgmtResponse.LUN_DOES_NOT_EXIST;
                }
                List<PendingCommand> victims = new ArrayList<>();
                for (PendingCommand pc : c.commands()) {
                    if (pc.lun == lun && pc.itt != t.itt()) {
                        victims.add(pc);
                    }
                }
                abortAll(Map.of(c, victims));
                yield TaskMgmtResponse.COMPLETE;
            }
            case TaskMgmtRequest.LOGICAL_UNIT_RESET -> {
                LunMapping m = s.lunMap.get(lun);
                if (m == null) {
                    yield TaskMgmtResponse.LUN_DOES_NOT_EXIST;
                }
                log.info("LUN reset of {} by {}", m.unit().name(), s.nexus);
                reset(List.of(m.unit()), UnitAttentions.LUN_RESET, s.nexus);
                yield TaskMgmtResponse.COMPLETE;
            }
            case TaskMgmtRequest.TARGET_WARM_RESET, TaskMgmtRequest.TARGET_COLD_RESET -> {
                log.info("target {} reset of {} by {}", t.function() == TaskMgmtRequest.TARGET_WARM_RESET ? "warm"
                        : "cold", s.target.name(), s.nexus);
                reset(unitsOf(s.target), UnitAttentions.POWER_ON, s.nexus);
                yield TaskMgmtResponse.COMPLETE;
            }
            case TaskMgmtRequest.TASK_REASSIGN -> TaskMgmtResponse.REASSIGNMENT_NOT_SUPPORTED;
            case TaskMgmtRequest.CLEAR_ACA -> TaskMgmtResponse.NOT_SUPPORTED;
            default -> TaskMgmtResponse.REJECTED;
        };
    }

    private int abortTask(Connection c, TaskMgmtRequest t) {
        PendingCommand pc = c.command(t.referencedTaskTag());
        if (pc == null || pc.pdu.lun() != t.lun()) {
            // RFC 7143 11.5.1: a referenced command not received yet (RefCmdSN still ahead in the
            // window) counts as aborted; one that already completed does not exist any more.
            return c.windowAlreadyReceived(t.refCmdSn()) ? TaskMgmtResponse.TASK_DOES_NOT_EXIST
                    : TaskMgmtResponse.COMPLETE;
        }
        if (!c.abort(pc)) {
            return TaskMgmtResponse.TASK_DOES_NOT_EXIST; // its response is already on the wire
        }
        abortAll(Map.of(c, List.of(pc)));
        return TaskMgmtResponse.COMPLETE;
    }

    /**
     * Resets logical units: aborts their tasks in every session, releases reservations, ends
     * medium removal preventions, and queues a unit attention for every I_T nexus but the one
     * that asked (SAM-5 6.3.3; the issuer knows).
     */
    private void reset(List<LogicalUnit> units, Sense attention, io.xtarget.scsi.Nexus issuer) {
        Map<Connection, List<PendingCommand>> victims = new IdentityHashMap<>();
        for (Connection other : server.connections()) {
            Session os = other.session();
            if (os == null || os.lunMap == null) {
                continue;
            }
            for (PendingCommand pc : other.commands()) {
                LunMapping m = os.lunMap.get(pc.lun);
                if (m != null && units.contains(m.unit())) {
                    victims.computeIfAbsent(other, k -> new ArrayList<>()).add(pc);
                }
            }
        }
        abortAll(victims);
        for (LogicalUnit lu : units) {
            lu.reservations().reset();
            lu.medium().clearPreventions(); // SPC-4 6.13: a LU or hard reset ends every PREVENT
            lu.unitAttentions().establishForAll(attention, issuer.initiatorPortName());
        }
    }

    private static void abortAll(Map<Connection, List<PendingCommand>> victims) {
        victims.forEach((conn, list) -> list.forEach(conn::abort));
        for (List<PendingCommand> list : victims.values()) {
            for (PendingCommand pc : list) {
                try {
                    if (!pc.done.await(ABORT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                        log.warn("task 0x{} did not stop within {} s", Integer.toHexString(pc.itt), ABORT_WAIT_SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
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
