package io.xtarget.iscsi;

import io.xtarget.scsi.TaskAttribute;
import static io.xtarget.iscsi.SchedulerHarness.UNSOLICITED;
import static io.xtarget.iscsi.SchedulerHarness.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.pdu.Bhs;
import io.xtarget.iscsi.pdu.DataOut;
import io.xtarget.iscsi.pdu.PduCodec;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The Data-Out segment being read, without a scheduler: its verdict and the buffer held until it ends. */
class DataOutPlacementTest {
    final DataOutPlacement placement = new DataOutPlacement();

    static IscsiTask write4k(int itt) {
        // one unsolicited burst may follow: Data-Out with the reserved TTT at offset 0 is accepted
        IscsiTask t = new IscsiTask(write(itt, 1, 4096, 0, false, TaskAttribute.SIMPLE),
                new DataOutCollector(4096, 0, true, 65536));
        t.buffer();
        return t;
    }

    static Bhs header(int itt, long offset, int length) {
        return new Bhs(PduCodec.header(new DataOut(true, 0, itt, UNSOLICITED, 0, 0, offset,
                ByteBuffer.allocate(length))));
    }

    @Test
    void aSegmentIsJudgedByItsCommandsRulesAndRememberedUntilItEnds() {
        IscsiTask t = write4k(1);
        DataOutCollector.Verdict v = placement.begin(t, header(1, 0, 4096), 4096);
        assertThat(v).isEqualTo(new DataOutCollector.Accept(0, 4096));
        assertThat(placement.task()).isSameAs(t);
        assertThat(placement.verdict()).isSameAs(v);
        placement.end();
        assertThat(placement.task()).isNull();
        assertThat(placement.verdict()).isNull();
    }

    @Test
    void dataForNoCommandOrACommandWithoutDataIsDropped() {
        assertThat(placement.begin(null, header(9, 0, 512), 512)).isInstanceOf(DataOutCollector.Drop.class);
        IscsiTask noData = new IscsiTask(write(2, 1, 0, 0, true, TaskAttribute.SIMPLE), null);
        assertThat(placement.begin(noData, header(2, 0, 512), 512)).isInstanceOf(DataOutCollector.Drop.class);
        assertThat(placement.task()).isSameAs(noData);
    }

    @Test
    void aCommandThatEndsWhileItsSegmentIsReadGetsItsBufferBackOnlyWhenTheSegmentEnds() {
        IscsiTask t = write4k(1);
        placement.begin(t, header(1, 0, 4096), 4096);
        placement.releaseBuffer(t);
        assertThat(t.dataBuffer).isNotNull(); // bytes may still land in it
        placement.end();
        assertThat(t.dataBuffer).isNull();
    }

    @Test
    void theNextHeaderEndsTheSegmentBefore() {
        IscsiTask t = write4k(1);
        IscsiTask other = write4k(2);
        placement.begin(t, header(1, 0, 4096), 4096);
        placement.releaseBuffer(t);
        placement.begin(other, header(2, 0, 4096), 4096);
        assertThat(t.dataBuffer).isNull();
        placement.releaseBuffer(other);
        assertThat(other.dataBuffer).isNotNull();
        placement.end();
        assertThat(other.dataBuffer).isNull();
    }
}
