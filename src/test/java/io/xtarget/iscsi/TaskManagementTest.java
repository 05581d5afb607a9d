package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.TaskMgmtRequest;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import io.xtarget.testing.HeapStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which task management functions a session may perform ({@link TaskManagement#authorized}),
 * without a socket: LOGICAL UNIT RESET and TARGET WARM/COLD RESET only as its grant allows
 * (otherwise RFC 7143 11.6.1 response 6); functions confined to its own tasks always.
 */
class TaskManagementTest {
    static final String RW = "iqn.1994-05.com.example:rw";
    static final String RO = "iqn.1994-05.com.example:ro";

    private final LogicalUnit lu = unit();
    private final TargetPort port = IscsiPorts.targetPort(FabricFixture.IQN, 1, 1, 1, "127.0.0.1:3260");

    private static LogicalUnit unit() {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = 1;
        return new LogicalUnit("ram0", new HeapStore(512, 64), naa, "serial0", false);
    }

    private Session session(String initiator, LunMap map) {
        Target t = new Target(FabricFixture.IQN, List.of(port), null, Map.of(initiator, map),
                CopyAccessPolicy.INITIATOR);
        Nexus n = IscsiPorts.nexus(initiator, 1, port);
        return new Session(1, false, initiator, 1, t, n, map, SchedulerHarness.params(), 1);
    }

    private LunMap map(boolean readOnly) {
        return LunMap.of(List.of(new LunMapping(0, lu, readOnly)));
    }

    private static final int[] RESETS = {TaskMgmtRequest.LOGICAL_UNIT_RESET, TaskMgmtRequest.TARGET_WARM_RESET,
            TaskMgmtRequest.TARGET_COLD_RESET};
    private static final int[] OWN_TASKS = {TaskMgmtRequest.ABORT_TASK, TaskMgmtRequest.ABORT_TASK_SET,
            TaskMgmtRequest.CLEAR_TASK_SET, TaskMgmtRequest.CLEAR_ACA, TaskMgmtRequest.TASK_REASSIGN};

    @Test
    void aReadWriteMappingMayResetAndAReadOnlyOneMayNot() {
        Session rw = session(RW, map(false));
        Session ro = session(RO, map(true));
        for (int f : RESETS) {
            assertThat(TaskManagement.authorized(rw, f, 0)).as("function %d, read-write", f).isTrue();
            assertThat(TaskManagement.authorized(ro, f, 0)).as("function %d, read-only", f).isFalse();
        }
        for (int f : OWN_TASKS) {
            assertThat(TaskManagement.authorized(ro, f, 0)).as("function %d only reaches its own tasks", f).isTrue();
        }
    }

    @Test
    void anExplicitGrantOverridesTheDefault() {
        Session roAllowed = session(RO, map(true).withResets(true));
        Session rwRefused = session(RW, map(false).withResets(false));
        for (int f : RESETS) {
            assertThat(TaskManagement.authorized(roAllowed, f, 0)).as("function %d", f).isTrue();
            assertThat(TaskManagement.authorized(rwRefused, f, 0)).as("function %d", f).isFalse();
        }
        assertThat(TaskManagement.authorized(rwRefused, TaskMgmtRequest.ABORT_TASK_SET, 0)).isTrue();
    }

    @Test
    void aLunResetOfAnUnmappedLunIsLeftToTheLunCheck() {
        Session ro = session(RO, map(true));
        assertThat(TaskManagement.authorized(ro, TaskMgmtRequest.LOGICAL_UNIT_RESET, 9))
                .as("answered LUN DOES NOT EXIST, not authorization failed").isTrue();
    }

    @Test
    void theSessionsCurrentGrantDecides() {
        Session s = session(RW, map(false));
        assertThat(TaskManagement.authorized(s, TaskMgmtRequest.TARGET_COLD_RESET, 0)).isTrue();
        s.lunMap = s.lunMap.withResets(false); // what a config reload does (IscsiServer.targetsChanged)
        assertThat(TaskManagement.authorized(s, TaskMgmtRequest.TARGET_COLD_RESET, 0)).isFalse();
    }
}
