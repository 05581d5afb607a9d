package io.xtarget.scsi;

import static io.xtarget.scsi.ReservationFixtures.nexus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservationCodecTest {
    private ReservationState rich() throws ScsiException {
        Nexus a = nexus("iqn.a", 1);
        Nexus b = nexus("iqn.b", 2);
        ReservationState s = ReservationRules.register(ReservationState.EMPTY, a, 0, 0x10, false, true).state();
        s = ReservationRules.register(s, b, 0, 0x20, false, true).state();
        s = ReservationRules.reserve(s, a, 0x10, ReservationType.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY).state();
        s = s.logged(List.of(new ReservationState.Attention(b, UnitAttentions.RESERVATIONS_RELEASED)));
        Nexus portless = new Nexus(nexus("iqn.c", 1).initiator(), null);
        return s.withSpc2Holder(portless);
    }

    @Test
    void aStateComesBackEqualWithNexusesEqualToTheLiveOnes() throws Exception {
        ReservationState s = rich();
        ReservationState back = ReservationCodec.decode(ReservationCodec.encode(s));
        assertThat(back).isEqualTo(s);
        assertThat(back.holder()).isEqualTo(nexus("iqn.a", 1));
        assertThat(back.registrations().get(1).nexus().port().relativePortId()).isEqualTo(2);
    }

    @Test
    void noBytesAreTheEmptyState() throws IOException {
        assertThat(ReservationCodec.decode(new byte[0])).isEqualTo(ReservationState.EMPTY);
    }

    @Test
    void damagedRecordsAreRefusedWithAReason() throws Exception {
        byte[] good = ReservationCodec.encode(rich());
        assertThatThrownBy(() -> ReservationCodec.decode(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(IOException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> ReservationCodec.decode(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(IOException.class).hasMessageContaining("too many");
        byte[] badMagic = good.clone();
        badMagic[0] = 'Y';
        assertThatThrownBy(() -> ReservationCodec.decode(badMagic)).hasMessageContaining("magic");
        byte[] badType = good.clone();
        badType[9] = 2; // TYPE 2h is reserved
        assertThatThrownBy(() -> ReservationCodec.decode(badType)).hasMessageContaining("type 2");
    }
}
