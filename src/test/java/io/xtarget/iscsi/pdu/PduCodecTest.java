package io.xtarget.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PduCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void scsiCommandDecodesFixedBytes() throws Exception {
        byte[] bhs = HEX.parseHex(
                "01c10000" + "00000000" + "0001000000000000" + "12345678" + "00001000"
                + "00000007" + "00000009" + "28000000001000000800" + "000000000000");
        Pdu p = PduCodec.decode(bhs, new byte[0], ByteBuffer.allocate(0));
        assertThat(p).isInstanceOf(ScsiCommandPdu.class);
        ScsiCommandPdu c = (ScsiCommandPdu) p;
        assertThat(c.fin()).isTrue();
        assertThat(c.read()).isTrue();
        assertThat(c.write()).isFalse();
        assertThat(c.attributes()).isEqualTo(1);
        assertThat(c.lun()).isEqualTo(0x0001000000000000L);
        assertThat(c.itt()).isEqualTo(0x12345678);
        assertThat(c.expectedDataTransferLength()).isEqualTo(4096);
        assertThat(c.cmdSn()).isEqualTo(7);
        assertThat(c.expStatSn()).isEqualTo(9);
        assertThat(c.cdb()[0]).isEqualTo((byte) 0x28);
        assertThat(PduCodec.header(c)).isEqualTo(bhs);
    }

    @Test
    void dataInWithStatusEncodesExactBytes() {
        DataIn d = new DataIn(true, false, 0x02, true, 0, 0, 5, -1, 10, 11, 42, 0, 0, 512,
                ByteBuffer.allocate(4));
        byte[] h = PduCodec.header(d);
        assertThat(HEX.formatHex(h)).isEqualTo("2583000000000004" + "0000000000000000" + "00000005" + "ffffffff"
                + "0000000a" + "0000000b" + "0000002a" + "00000000" + "00000000" + "00000200");
    }

    @Test
    void unknownOpcodeIsRejectedNotThrown() {
        byte[] bhs = new byte[48];
        bhs[0] = 0x1c;
        assertThatThrownBy(() -> PduCodec.decode(bhs, new byte[0], ByteBuffer.allocate(0)))
                .isInstanceOf(PduException.class);
    }

    @Test
    void loginRequestRoundTrips() throws Exception {
        LoginRequest r = new LoginRequest(true, false, 1, 3, 0, 0, 0x23d000000001L, 0, 1, 0, 5, 0,
                ByteBuffer.wrap("InitiatorName=iqn.x\0".getBytes()));
        byte[] h = PduCodec.header(r);
        assertThat(h[0]).isEqualTo((byte) 0x43);
        assertThat(h[1]).isEqualTo((byte) 0x87);
        LoginRequest back = (LoginRequest) PduCodec.decode(h, new byte[0], r.data());
        assertThat(back.isid()).isEqualTo(0x23d000000001L);
        assertThat(back.csg()).isEqualTo(1);
        assertThat(back.nsg()).isEqualTo(3);
        assertThat(back.transit()).isTrue();
    }
}
