package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.ResponsePlan.Residual;
import io.xtarget.iscsi.pdu.ScsiResponsePdu;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Residuals and Data-In segmentation of a response: {@link ResponsePlan}. */
class ResponsePlanTest {
    private static final int O = ScsiResponsePdu.OVERFLOW;
    private static final int U = ScsiResponsePdu.UNDERFLOW;

    record Seg(int offset, int length, boolean endOfSequence, boolean last) {}

    private static List<Seg> segments(int length, int maxSegment, int maxBurst) {
        List<Seg> out = new ArrayList<>();
        ResponsePlan.<RuntimeException>segments(length, maxSegment, maxBurst,
                (off, len, eos, last) -> out.add(new Seg(off, len, eos, last)));
        return out;
    }

    @Test
    void residualIsOverflowUnderflowOrNone() {
        // RFC 7143 11.4.5.1: O bit for bytes that did not fit, U bit for bytes not transferred
        assertThat(ResponsePlan.residual(4096, 8192)).isEqualTo(new Residual(O, 4096));
        assertThat(ResponsePlan.residual(4096, 1024)).isEqualTo(new Residual(U, 3072));
        assertThat(ResponsePlan.residual(4096, 4096)).isEqualTo(Residual.NONE);
    }

    @Test
    void readThatProducedLessThanExpectedUnderflows() {
        // RFC 7143 11.4.5.1, SAM-5 5.4.2
        assertThat(ResponsePlan.of(true, false, 4096, 1024, -1)).isEqualTo(new Residual(U, 3072));
        assertThat(ResponsePlan.of(true, false, 4096, 0, -1)).isEqualTo(new Residual(U, 4096));
    }

    @Test
    void readThatProducedMoreThanExpectedOverflows() {
        // RFC 7143 11.4.5.1
        assertThat(ResponsePlan.of(true, false, 4096, 8192, -1)).isEqualTo(new Residual(O, 4096));
        assertThat(ResponsePlan.of(true, false, 4096, 4096, -1)).isEqualTo(Residual.NONE);
    }

    @Test
    void dataInWithoutTheReadBitOverflowsByAllOfIt() {
        // RFC 7143 11.4.5.1: nothing was expected, so everything produced is residual overflow
        assertThat(ResponsePlan.of(false, false, 0, 36, -1)).isEqualTo(new Residual(O, 36));
    }

    @Test
    void writeResidualCountsTheDataOutTheCommandAskedFor() {
        // FCP-4 9.4.2 / SAM-5 5.4.2: residual against the data-out the command needed
        assertThat(ResponsePlan.of(false, true, 4096, 0, 4096)).isEqualTo(Residual.NONE);
        assertThat(ResponsePlan.of(false, true, 4096, 0, 8192)).isEqualTo(new Residual(O, 4096));
        assertThat(ResponsePlan.of(false, true, 4096, 0, 512)).isEqualTo(new Residual(U, 3584));
    }

    @Test
    void writeThatFailedBeforeUsingDataUnderflowsByEverything() {
        // RFC 7143 11.4.5.1: no data was transferred into the command
        assertThat(ResponsePlan.of(false, true, 4096, 0, -1)).isEqualTo(new Residual(U, 4096));
    }

    @Test
    void commandWithoutDataHasNoResidual() {
        assertThat(ResponsePlan.of(false, false, 0, 0, -1)).isEqualTo(Residual.NONE);
        assertThat(ResponsePlan.of(false, false, 512, 0, -1)).isEqualTo(Residual.NONE);
    }

    @Test
    void dataInLengthIsProducedCutToExpectedAndZeroWithoutReadBit() {
        // RFC 7143 11.7: never more Data-In than the expected data transfer length
        assertThat(ResponsePlan.dataInLength(true, 4096, 1024)).isEqualTo(1024);
        assertThat(ResponsePlan.dataInLength(true, 4096, 8192)).isEqualTo(4096);
        assertThat(ResponsePlan.dataInLength(false, 4096, 1024)).isZero();
    }

    @Test
    void segmentsAreCutAtMaxRecvDataSegmentLengthAndMaxBurstLength() {
        // RFC 7143 13.13, 11.7.1: PDUs at most MaxRecvDataSegmentLength, F at the end of each burst
        assertThat(segments(10000, 3000, 4096)).containsExactly(new Seg(0, 3000, false, false),
                new Seg(3000, 1096, true, false), new Seg(4096, 3000, false, false), new Seg(7096, 1096, true, false),
                new Seg(8192, 1808, true, true));
    }

    @Test
    void zeroLengthHasNoSegments() {
        assertThat(segments(0, 8192, 65536)).isEmpty();
    }

    @Test
    void randomSizesSegmentContiguouslyWithinBothBounds() {
        // RFC 7143 13.12, 13.13: every sequence <= MaxBurstLength, every PDU <= MaxRecvDataSegmentLength
        Random rnd = new Random(11);
        for (int i = 0; i < 5000; i++) {
            int length = rnd.nextInt(1 << 20);
            int maxSegment = 512 + rnd.nextInt(1 << 16);
            int maxBurst = 512 + rnd.nextInt(1 << 18);
            List<Seg> segs = segments(length, maxSegment, maxBurst);
            long next = 0;
            for (int k = 0; k < segs.size(); k++) {
                Seg s = segs.get(k);
                boolean isLast = k == segs.size() - 1;
                assertThat(s.offset()).isEqualTo(next);
                assertThat(s.length()).isBetween(1, maxSegment);
                long end = (long) s.offset() + s.length();
                assertThat(s.offset() / maxBurst).isEqualTo((end - 1) / maxBurst); // never crosses a burst
                assertThat(s.endOfSequence()).isEqualTo(end % maxBurst == 0 || isLast);
                assertThat(s.last()).isEqualTo(isLast);
                next = end;
            }
            assertThat(next).isEqualTo(length);
        }
    }
}
