package io.xtarget.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.InitiatorPort;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.TargetPort;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The iSCSI names of SCSI ports, byte for byte (RFC 7143 13.x, SPC-4 7.6.4.6, 7.8.6.11). */
class IscsiPortsTest {
    @Test
    void initiatorPortNameAndTransportIdWithIsid() {
        InitiatorPort p = IscsiPorts.initiatorPort("iqn.1994-05.com.example:h", 0x23d000000001L);
        assertThat(p.name()).isEqualTo("iqn.1994-05.com.example:h");
        assertThat(p.portName()).isEqualTo("iqn.1994-05.com.example:h,i,0x23d000000001");
        // 42 bytes of name: ADDITIONAL LENGTH 44 (null terminated, padded to a multiple of 4)
        assertThat(HexFormat.of().formatHex(p.transportId())).isEqualTo("4500002c"
                + HexFormat.of().formatHex("iqn.1994-05.com.example:h,i,0x23d000000001".getBytes()) + "0000");
    }

    @Test
    void targetPortNameWithTpgt() {
        TargetPort t = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:t", 2, 7, 3, "127.0.0.1:3260");
        assertThat(t.scsiPortName()).isEqualTo("iqn.2026-01.io.xtarget:t,t,0x0002");
        assertThat(t.targetName()).isEqualTo("iqn.2026-01.io.xtarget:t");
        assertThat(t.protocol().identifier()).isEqualTo(5);
        assertThat(t.protocol().versionDescriptor()).isEqualTo(0x0960);
        assertThat(t.portalGroupTag()).isEqualTo(2);
        assertThat(t.relativePortId()).isEqualTo(7);
        assertThat(t.portGroupId()).isEqualTo(3);
    }

    @Test
    void aNexusIsItsTwoPortsNotItsCopyRule() {
        TargetPort t = IscsiPorts.targetPort("iqn.2026-01.io.xtarget:t", 1, 1, 1, "x");
        Nexus a = IscsiPorts.nexus("iqn.1994-05.com.example:h", 1, t);
        Nexus b = new Nexus(IscsiPorts.initiatorPort("iqn.1994-05.com.example:h", 1), t, (n, other) -> false);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(IscsiPorts.nexus("iqn.1994-05.com.example:h", 2, t));
        assertThat(a).hasToString("iqn.1994-05.com.example:h,i,0x000000000001 -> iqn.2026-01.io.xtarget:t,t,0x0001");
    }

    @Test
    void theTransportIdIsCopiedInAndOut() {
        byte[] tid = new byte[24];
        InitiatorPort p = new InitiatorPort("n", "n,p", tid);
        tid[0] = 1;
        p.transportId()[1] = 1;
        assertThat(p.transportId()).isEqualTo(new byte[24]);
        assertThatThrownBy(() -> new InitiatorPort("n", "n,p", new byte[22])).isInstanceOf(IllegalArgumentException.class);
    }
}
