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
import org.junit.jupiter.api.Test;

/**
 * On a gateway that is active/non-optimized for an LU, every command runs as on the optimized one:
 * reads and writes are served (the store takes the image's lock for a write, cooperatively), the
 * access state does not change and no unit attention is raised; a fenced store's failures are
 * NOT READY / ASYMMETRIC ACCESS STATE TRANSITION (04h/0Ah), never MEDIUM ERROR.
 */
class AluaNonOptimizedTest {
    private static final int[] READ10 = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    private static final int[] WRITE10 = {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0};

    private static String sense(ScsiResult r) {
        return r.status() == ScsiStatus.GOOD ? "GOOD"
                : String.format("%x/%02x/%02x", r.sense().key(), r.sense().asc(), r.sense().ascq());
    }

    @Test
    void readsAndWritesOnTheNonOptimizedGatewayRunAndMoveNothing() {
        CoreFixture f = new CoreFixture();
        Alua alua = new Alua(List.of(new Alua.PeerGroup(9, List.of(20))));
        f.core.setAlua(alua);
        alua.setOptimized(f.lu, false);
        f.run(f.a, 0x00, 0, 0, 0, 0, 0); // POWER ON for a
        f.run(f.b, 0x00, 0, 0, 0, 0, 0); // and for b
        for (int i = 0; i < 3; i++) {
            assertThat(sense(f.run(f.a, WRITE10))).isEqualTo("GOOD");
            assertThat(sense(f.run(f.b, READ10))).isEqualTo("GOOD");
            assertThat(sense(f.run(f.b, WRITE10))).isEqualTo("GOOD");
        }
        assertThat(alua.optimized(f.lu)).isFalse();
        assertThat(sense(f.run(f.a, 0x00, 0, 0, 0, 0, 0))).isEqualTo("GOOD"); // no unit attention
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
