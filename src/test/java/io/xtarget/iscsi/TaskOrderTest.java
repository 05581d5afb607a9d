package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import org.junit.jupiter.api.Test;

class TaskOrderTest {
    private static int itt;

    private static PendingCommand task(int attr) {
        ScsiCommandPdu pdu = new ScsiCommandPdu(false, true, true, false, attr, 0, ++itt, 0, itt, 0, new byte[16], null);
        return new PendingCommand(pdu, 0);
    }

    @Test
    void orderedWaitsForOlderTasksAndHoldsBackYoungerOnes() {
        TaskOrder set = new TaskOrder();
        PendingCommand s1 = task(TaskOrder.SIMPLE);
        PendingCommand o = task(TaskOrder.ORDERED);
        PendingCommand s2 = task(TaskOrder.SIMPLE);
        PendingCommand head = task(TaskOrder.HEAD_OF_QUEUE);
        set.enter(s1);
        set.enter(o);
        set.enter(s2);
        set.enter(head);
        assertThat(set.mayStart(s1)).isTrue();
        assertThat(set.mayStart(o)).isFalse(); // s1 is older and not finished
        assertThat(set.mayStart(s2)).isFalse(); // an older ORDERED task is not finished
        assertThat(set.mayStart(head)).isTrue(); // HEAD OF QUEUE never waits
        assertThat(set.leave(s1)).containsExactly(o, s2, head);
        assertThat(set.mayStart(o)).isTrue();
        assertThat(set.mayStart(s2)).isFalse();
        set.leave(o);
        assertThat(set.mayStart(s2)).isTrue();
    }

    @Test
    void simpleTasksNeverWaitForEachOther() {
        TaskOrder set = new TaskOrder();
        PendingCommand a = task(TaskOrder.SIMPLE);
        PendingCommand b = task(TaskOrder.UNTAGGED);
        set.enter(a);
        set.enter(b);
        assertThat(set.mayStart(a)).isTrue();
        assertThat(set.mayStart(b)).isTrue();
    }
}
