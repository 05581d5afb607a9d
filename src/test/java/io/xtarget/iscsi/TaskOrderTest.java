package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.TaskOrder.Attribute;
import io.xtarget.iscsi.pdu.ScsiCommandPdu;
import org.junit.jupiter.api.Test;

class TaskOrderTest {
    private static int itt;

    private static IscsiTask task(Attribute attr) {
        ScsiCommandPdu pdu = new ScsiCommandPdu(false, true, true, false, attr.ordinal(), 0, ++itt, 0, itt, 0,
                new byte[16], null);
        return new IscsiTask(pdu, null);
    }

    @Test
    void orderedWaitsForOlderTasksAndHoldsBackYoungerOnes() {
        TaskOrder set = new TaskOrder();
        IscsiTask s1 = task(Attribute.SIMPLE);
        IscsiTask o = task(Attribute.ORDERED);
        IscsiTask s2 = task(Attribute.SIMPLE);
        IscsiTask head = task(Attribute.HEAD_OF_QUEUE);
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
        IscsiTask a = task(Attribute.SIMPLE);
        IscsiTask b = task(Attribute.UNTAGGED);
        set.enter(a);
        set.enter(b);
        assertThat(set.mayStart(a)).isTrue();
        assertThat(set.mayStart(b)).isTrue();
        assertThat(set.leave(a)).isEmpty(); // no ORDERED task anywhere: nobody was held back
    }

    @Test
    void attributeCodesFollowTheCommandPdu() {
        assertThat(Attribute.of(0)).isEqualTo(Attribute.UNTAGGED);
        assertThat(Attribute.of(1)).isEqualTo(Attribute.SIMPLE);
        assertThat(Attribute.of(2)).isEqualTo(Attribute.ORDERED);
        assertThat(Attribute.of(3)).isEqualTo(Attribute.HEAD_OF_QUEUE);
        assertThat(Attribute.of(4)).isEqualTo(Attribute.ACA);
        assertThat(Attribute.of(7)).isEqualTo(Attribute.UNTAGGED);
    }
}
