package io.xtarget.scsi.copy;

import static io.xtarget.scsi.copy.CopyFixture.heap;
import static io.xtarget.scsi.copy.CopyFixture.lu;
import static io.xtarget.scsi.copy.CopyFixture.map;
import static io.xtarget.scsi.copy.CopyFixture.target;
import static io.xtarget.scsi.copy.TokenLists.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Alua;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Target;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Copies between LUs a gateway serves active/non-optimized run as on the optimized gateway: the
 * copy manager writes its destination as a WRITE command would (the store takes the image's lock
 * for it) and the access states do not move ({@link CopyAccess}).
 */
class CopyNonOptimizedTest {
    private CopyFixture f;
    private final LogicalUnit a = lu("a", 512, 4096, 1);
    private final LogicalUnit b = lu("b", 512, 4096, 2);
    private Target t1;
    private final Alua alua = new Alua(List.of(new Alua.PeerGroup(2, List.of(2))));

    @BeforeEach
    void setUp() {
        f = new CopyFixture(new CopyCommandSet(CopyLimits.DEFAULT, new CopyEngine(4096, 64 * 4096),
                TokenCommandsTest.LIMITS));
        t1 = target("iqn.t1", 1, map(new LunMapping(0, a, false), new LunMapping(1, b, false)),
                CopyAccessPolicy.INITIATOR);
        f.targets(t1);
        CopyFixture.fill(a, 1);
        CopyFixture.fill(b, 2);
        f.core.setAlua(alua);
        alua.setOptimized(a, false);
        alua.setOptimized(b, false);
    }

    @AfterEach
    void close() {
        f.copy.close();
    }

    private static byte[] bytes(LogicalUnit lu, long off, int len) {
        return Arrays.copyOfRange(heap(lu).bytes(), (int) off, (int) off + len);
    }

    private ScsiResult run(int lun, Cdb cdb, byte[] out) {
        return f.core.execute(f.task(t1, 1, lun, cdb, out));
    }

    @Test
    void anExtendedCopyIsServedAndMovesNothing() {
        byte[] want = bytes(a, 0, 64 * 512);
        ScsiResult r = f.xcopy(t1, 0, new CopyFixture.Params().cscd(a).cscd(b).b2b(0, 1, 64, 0, 100).build());
        assertThat(r.status()).as(String.valueOf(r.sense())).isEqualTo(ScsiStatus.GOOD);
        assertThat(bytes(b, 100 * 512, 64 * 512)).isEqualTo(want);
        assertThat(alua.optimized(b)).isFalse();
        assertThat(alua.optimized(a)).isFalse();
    }

    @Test
    void tokenCopiesAreServedAndMoveNothing() {
        byte[] list = TokenLists.populateList(range(10, 20));
        assertThat(run(0, TokenLists.populate(1, list.length), list).status()).isEqualTo(ScsiStatus.GOOD);
        byte[] token = TokenLists.tokenOf(CopyFixture.bytes(run(0, TokenLists.rrti(1), null)));
        byte[] wut = TokenLists.writeList(token, range(50, 20));
        ScsiResult r = run(1, TokenLists.writeUsingToken(2, wut.length), wut);
        assertThat(r.status()).as(String.valueOf(r.sense())).isEqualTo(ScsiStatus.GOOD);
        assertThat(bytes(b, 50 * 512, 20 * 512)).isEqualTo(bytes(a, 10 * 512, 20 * 512));
        assertThat(alua.optimized(b)).isFalse();
    }
}
