package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TaskOrderTest {
    /** A fabric's task, as far as ordering goes. */
    private record Task(String name, TaskAttribute attribute) {}

    private static TaskOrder<Task> order() {
        return new TaskOrder<>(Task::attribute);
    }

    @Test
    void orderedWaitsForOlderTasksAndHoldsBackYoungerOnes() {
        TaskOrder<Task> set = order();
        Task s1 = new Task("s1", TaskAttribute.SIMPLE);
        Task o = new Task("o", TaskAttribute.ORDERED);
        Task s2 = new Task("s2", TaskAttribute.SIMPLE);
        Task head = new Task("head", TaskAttribute.HEAD_OF_QUEUE);
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
        TaskOrder<Task> set = order();
        Task a = new Task("a", TaskAttribute.SIMPLE);
        Task b = new Task("b", TaskAttribute.ACA); // run as SIMPLE
        set.enter(a);
        set.enter(b);
        assertThat(set.mayStart(a)).isTrue();
        assertThat(set.mayStart(b)).isTrue();
        assertThat(set.leave(a)).isEmpty(); // no ORDERED task anywhere: nobody was held back
        assertThat(set.leave(b)).isEmpty();
        assertThat(set.isEmpty()).isTrue();
    }
}
