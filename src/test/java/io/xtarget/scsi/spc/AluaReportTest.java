package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static io.xtarget.scsi.spc.CoreFixture.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Alua;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class AluaReportTest {
    private static final int[] RTPG = {0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

    @Test
    void gatewaysReportPeerGroupsWithTheOppositeStateAndRaiseTheUnitAttentionOnChange() {
        CoreFixture f = new CoreFixture();
        Alua alua = new Alua(List.of(new Alua.PeerGroup(9, List.of(20, 21))));
        f.core.setAlua(alua);
        alua.setOptimized(f.lu, true); // first report: no unit attention
        assertThat(hex(data(f.run(f.a, RTPG)))).isEqualTo(("0000002c"
                + "00030001 00000002 00000001 00000002"
                + "00030007 00000001 00000003"
                + "01030009 00000002 00000014 00000015").replace(" ", ""));

        assertThat(alua.setOptimized(f.lu, false)).isTrue();
        ScsiResult tur = f.run(f.a, 0x00, 0, 0, 0, 0, 0);
        assertThat(tur.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(tur.sense().asc()).isEqualTo(0x2A);
        assertThat(tur.sense().ascq()).isEqualTo(0x06);
        assertThat(hex(data(f.run(f.a, RTPG)))).isEqualTo(("0000002c"
                + "01030001 00000002 00000001 00000002"
                + "01030007 00000001 00000003"
                + "00030009 00000002 00000014 00000015").replace(" ", ""));
    }
}
