package io.xtarget.scsi.spc;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.StoreFencedException;
import io.xtarget.backend.StoreUnavailableException;
import io.xtarget.scsi.Alua;
import io.xtarget.scsi.IoErrorSense;
import io.xtarget.scsi.MediumAccess;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.SenseKey;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Takeover on write ({@link Alua#serveHere}): on a gateway that is active/non-optimized for an
 * LU, a WRITE takes the LU over before it runs (2Ah/06h for every nexus), a READ does not; a
 * failed takeover answers NOT READY / ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah) and changes
 * nothing; a fenced store's failures get the same sense.
 */
class AluaTakeoverTest {
    private static final int[] READ10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    private static final int[] WRITE10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};

    private static String sense(ScsiResult r) {
        return r.status() == ScsiStatus.GOOD ? "GOOD"
                : String.format("%x/%02x/%02x", r.sense().key(), r.sense().asc(), r.sense().ascq());
    }

    @Test
    void aWriteOnTheNonOptimizedGatewayTakesTheLuOverFirstAndAReadDoesNot() {
        CoreFixture f = new CoreFixture();
        Alua alua = new Alua(List.of(new Alua.PeerGroup(9, List.of(20))));
        f.core.setAlua(alua);
        alua.setOptimized(f.lu, false);
        AtomicInteger takeovers = new AtomicInteger();
        alua.setTakeover(lu -> {
            assertThat(lu).isSameAs(f.lu);
            takeovers.incrementAndGet();
        });
        f.run(f.a, 0x00, 0, 0, 0, 0, 0); // POWER ON for a
        f.run(f.b, 0x00, 0, 0, 0, 0, 0); // and for b

        assertThat(sense(f.run(f.a, READ10))).isEqualTo("GOOD");
        assertThat(takeovers).hasValue(0);
        assertThat(alua.optimized(f.lu)).isFalse();

        assertThat(sense(f.run(f.a, WRITE10))).isEqualTo("GOOD");
        assertThat(takeovers).hasValue(1);
        assertThat(alua.optimized(f.lu)).isTrue();
        assertThat(sense(f.run(f.b, WRITE10))).isEqualTo("6/2a/06");
        assertThat(sense(f.run(f.a, WRITE10))).isEqualTo("6/2a/06");
        assertThat(sense(f.run(f.b, WRITE10))).isEqualTo("GOOD");
        assertThat(takeovers).hasValue(1);
    }

    @Test
    void aFailedTakeoverAnswersTheTransitionAndChangesNothing() {
        CoreFixture f = new CoreFixture();
        Alua alua = new Alua(List.of(new Alua.PeerGroup(9, List.of(20))));
        f.core.setAlua(alua);
        alua.setOptimized(f.lu, false);
        alua.setTakeover(lu -> {
            throw new StoreFencedException("fenced", StoreFencedException.Reason.BLOCKLISTED);
        });
        f.run(f.a, 0x00, 0, 0, 0, 0, 0);
        assertThat(sense(f.run(f.a, WRITE10))).isEqualTo("2/04/0a");
        assertThat(alua.optimized(f.lu)).isFalse();
        assertThat(sense(f.run(f.a, 0x00, 0, 0, 0, 0, 0))).isEqualTo("GOOD"); // no unit attention
    }

    @Test
    void withoutATakeoverAWriteRunsAsBefore() {
        CoreFixture f = new CoreFixture();
        Alua alua = new Alua(List.of(new Alua.PeerGroup(9, List.of(20))));
        f.core.setAlua(alua);
        alua.setOptimized(f.lu, false);
        f.run(f.a, 0x00, 0, 0, 0, 0, 0);
        assertThat(sense(f.run(f.a, WRITE10))).isEqualTo("GOOD");
        assertThat(alua.optimized(f.lu)).isFalse();
    }

    @Test
    void aFencedStoreIsTheTransitionNeverAMediumError() {
        Sense transition = Sense.asymmetricAccessStateTransition();
        assertThat(transition.key()).isEqualTo(SenseKey.NOT_READY);
        assertThat(new int[] {transition.asc(), transition.ascq()}).containsExactly(0x04, 0x0A);
        for (StoreFencedException.Reason why : StoreFencedException.Reason.values()) {
            IOException e = new StoreFencedException("x", why);
            assertThat(IoErrorSense.of(e, MediumAccess.WRITE)).isEqualTo(transition);
            assertThat(IoErrorSense.of(e, MediumAccess.READ)).isEqualTo(transition);
        }
        assertThat(IoErrorSense.of(new StoreUnavailableException("timed out"), MediumAccess.WRITE))
                .isEqualTo(Sense.notReportableNotReady());
    }
}
