package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.scsi.ScsiStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A logout ends the I_T nexus before the Logout Response says so (RFC 7143 11.14; SPC-2 5.5.1:
 * a reservation ends with its I_T nexus): once a host's logout returned, another host never
 * meets the reservation it held. libiscsi's Reserve6.Logout checks the same.
 */
@Timeout(60)
class LogoutEndsNexusE2eTest extends OneRamLuE2e {
    static final byte[] RESERVE_6 = {0x16, 0, 0, 0, 0, 0};

    @Test
    void theReservationIsGoneWhenTheLogoutResponseArrives() throws Exception {
        try (IscsiSession other = Scsi.open(server.url(LUN), Scsi.options("iqn.2026-11.io.example:other"))) {
            Scsi.clearUnitAttentions(other, LUN);
            for (int i = 0; i < 20; i++) {
                IscsiSession holder = Scsi.open(server.url(LUN), Scsi.options("iqn.2026-11.io.example:holder"));
                Scsi.clearUnitAttentions(holder, LUN);
                Scsi.good(holder, LUN, RESERVE_6, null, 0);
                assertThat(Scsi.run(other, LUN, Scsi.read10(0, 1), null, 512).status())
                        .isEqualTo(ScsiStatus.RESERVATION_CONFLICT.code());
                holder.logout();
                holder.close();
                CommandResult r = Scsi.run(other, LUN, Scsi.read10(0, 1), null, 512);
                assertThat(r.status()).as("round %d: READ right after the holder's logout", i).isZero();
            }
        }
    }
}
