package io.xtarget.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.copy.TokenLists;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CLI's token CDBs and lists byte for byte as the target's tests lay them out, and the VPD limits it reads. */
class TokenParameterListsTest {
    @Test
    void cdbsAndListsMatchTheTargetsLayouts() {
        assertThat(TokenParameterLists.populateCdb(0x12345678L, 32)).isEqualTo(TokenLists.populate(0x12345678L, 32).bytes());
        assertThat(TokenParameterLists.writeUsingTokenCdb(7, 552)).isEqualTo(TokenLists.writeUsingToken(7, 552).bytes());
        assertThat(TokenParameterLists.receiveRodTokenInformationCdb(9))
                .isEqualTo(TokenLists.cdb(0x84, 0x07, 2, 9, TokenParameterLists.RRTI_ALLOCATION).bytes());
        assertThat(TokenParameterLists.populate(1000, 65536))
                .isEqualTo(TokenLists.populateList(TokenLists.range(1000, 65536)));
        byte[] token = new byte[512];
        new Random(1).nextBytes(token);
        assertThat(TokenParameterLists.writeUsingToken(token, true, 24, 5, 0xFFFF_FFFFL))
                .isEqualTo(TokenLists.writeList(0x02, 24, token, TokenLists.range(5, 0xFFFF_FFFFL)));
        assertThat(TokenParameterLists.zeroToken()).isEqualTo(TokenLists.zeroToken());
    }

    @Test
    void tokenOfReceiveRodTokenInformation() {
        byte[] token = new byte[512];
        new Random(2).nextBytes(token);
        ByteBuffer d = ByteBuffer.allocate(32 + 4 + 2 + 512);
        d.put(5, (byte) 0x01).putInt(32, 0x0202).put(38, token);
        assertThat(TokenParameterLists.tokenOf(d.array())).isEqualTo(token);
        assertThat(TokenParameterLists.tokenOf(d.put(5, (byte) 0x11).array())).as("still running").isNull();
        assertThat(TokenParameterLists.tokenOf(new byte[36])).isNull();
    }

    @Test
    void rodTokenLimitsFromTheThirdPartyCopyPage() {
        ByteBuffer page = ByteBuffer.allocate(4 + 4 + 28 + 4 + 32);
        page.put(1, (byte) 0x8F).putShort(2, (short) (page.capacity() - 4));
        page.putShort(4, (short) 0x0004).putShort(6, (short) 28); // another descriptor first
        page.putShort(36, (short) 0x0000).putShort(38, (short) 32);
        page.putShort(40 + 6, (short) 64).putLong(40 + 16, 524288).putLong(40 + 24, 131072);
        RodTokenLimits l = RodTokenLimits.fromThirdPartyCopyVpd(page.array());
        assertThat(l).isEqualTo(new RodTokenLimits(64, 524288, 131072));
        assertThat(l.maxTokenBytes(512, 4096)).isEqualTo(256L << 20);
        assertThat(l.writeBytes(512, 4096)).isEqualTo(64L << 20);
        // nothing reported: what one range descriptor holds, cut to whole units
        RodTokenLimits none = new RodTokenLimits(0, 0, 0);
        assertThat(none.maxTokenBytes(512, 4096)).isEqualTo(0xFFFF_FFFFL * 512 / 4096 * 4096);
        assertThat(new RodTokenLimits(1, 0, 16).writeBytes(512, 512)).isEqualTo(8192);
        assertThat(new RodTokenLimits(1, 4, 16).writeBytes(512, 4096)).as("smaller than a unit").isZero();
        assertThat(RodTokenLimits.fromThirdPartyCopyVpd(new byte[] {0, (byte) 0x8F, 0, 0})).isNull();
        assertThat(RodTokenLimits.fromThirdPartyCopyVpd(null)).isNull();
    }
}
