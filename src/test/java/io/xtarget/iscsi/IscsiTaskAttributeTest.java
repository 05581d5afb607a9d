package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.TaskAttribute;
import org.junit.jupiter.api.Test;

class IscsiTaskAttributeTest {
    @Test
    void attributeCodesFollowTheCommandPdu() {
        assertThat(IscsiTask.attribute(0)).isEqualTo(TaskAttribute.SIMPLE); // untagged
        assertThat(IscsiTask.attribute(1)).isEqualTo(TaskAttribute.SIMPLE);
        assertThat(IscsiTask.attribute(2)).isEqualTo(TaskAttribute.ORDERED);
        assertThat(IscsiTask.attribute(3)).isEqualTo(TaskAttribute.HEAD_OF_QUEUE);
        assertThat(IscsiTask.attribute(4)).isEqualTo(TaskAttribute.ACA);
        assertThat(IscsiTask.attribute(7)).isEqualTo(TaskAttribute.SIMPLE); // reserved
    }
}
