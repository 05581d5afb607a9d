package io.xtarget.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.initiator.IscsiSession;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bytes in which the iSCSI fabric's names reach the initiator, pinned through real logins
 * with literal expectations: the target port and target device designators of VPD 0x83 (SPC-4
 * 7.8.6.11, RFC 7143 13.x "iqn...,t,0x0001"), the transport version descriptor of standard
 * INQUIRY, and the iSCSI TransportIDs (SPC-4 7.6.4.6, format 01b "iqn...,i,0x&lt;ISID&gt;") of
 * PERSISTENT RESERVE IN READ FULL STATUS. The core formats none of them itself; whoever moves
 * that formatting must keep these bytes.
 */
@Timeout(120)
class FabricIdentityE2eTest extends OneRamLuE2e {
    static final String A = "iqn.2026-11.io.example:pin-a"; // 28 bytes
    static final String B = "iqn.2026-11.io.example:pin-b";

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static String hex(String s) {
        return hex(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void vpd83TargetPortAndTargetDeviceDesignators() throws Exception {
        try (IscsiSession s = Scsi.open(server.url(LUN), Scsi.options(A))) {
            byte[] page = Scsi.good(s, LUN, Scsi.vpd(0x83, 1024), null, 1024);
            // "iqn.2026-11.io.xtarget:e2e,t,0x0001": 35 bytes, null terminated and padded to 36;
            // "iqn.2026-11.io.xtarget:e2e": 26 bytes, padded to 28. PIV 1, protocol identifier 5h (iSCSI).
            String ports = "5194" + "0004" + "00000001" // relative target port identifier 1
                    + "5195" + "0004" + "00000001" // target port group 1
                    + "5398" + "0024" + hex("iqn.2026-11.io.xtarget:e2e,t,0x0001") + "00"
                    + "53a8" + "001c" + hex("iqn.2026-11.io.xtarget:e2e") + "0000";
            assertThat(hex(page)).endsWith(ports);
            assertThat(page.length).isEqualTo(4 + 20 + 52 + 12 + ports.length() / 2);
        }
    }

    @Test
    void standardInquiryNamesTheIscsiTransport() throws Exception {
        try (IscsiSession s = Scsi.open(server.url(LUN), Scsi.options(A))) {
            byte[] d = Scsi.good(s, LUN, Scsi.inquiry(96), null, 96);
            // SAM-5, iSCSI (no version claimed), SPC-4, SBC-3
            assertThat(hex(Arrays.copyOfRange(d, 58, 74))).isEqualTo("00a00960046004c0" + "0".repeat(16));
        }
    }

    @Test
    void readFullStatusTransportIdsAreIscsiFormatWithIsid() throws Exception {
        try (IscsiSession a = Scsi.open(server.url(LUN), Scsi.options(A));
                IscsiSession b = Scsi.open(server.url(LUN), Scsi.options(B))) {
            Scsi.clearUnitAttentions(a, LUN);
            Scsi.clearUnitAttentions(b, LUN);
            Scsi.good(a, LUN, Scsi.persistentReserveOut(0, 0), Scsi.prParameters(0, 0x1111), 0); // REGISTER
            Scsi.good(b, LUN, Scsi.persistentReserveOut(0, 0), Scsi.prParameters(0, 0x2222), 0);
            Scsi.good(a, LUN, Scsi.persistentReserveOut(1, 1), Scsi.prParameters(0x1111, 0), 0); // RESERVE, WE

            byte[] prin = {0x5E, 0x03, 0, 0, 0, 0, 0, 0x04, 0x00, 0}; // READ FULL STATUS, 1024 bytes
            byte[] d = Scsi.good(b, LUN, prin, null, 1024);
            String generation = hex(Arrays.copyOf(d, 4));
            // "iqn.2026-11.io.example:pin-a,i,0x" + 12 hex digits: 45 bytes, ADDITIONAL LENGTH 48
            String expected = generation + "00000098"
                    + "0000000000001111" + "00000000" + "01" + "01" + "00000000" + "0001" + "00000034"
                    + "45" + "00" + "0030" + hex(A + ",i,0x" + String.format("%012x", a.isid())) + "000000"
                    + "0000000000002222" + "00000000" + "00" + "00" + "00000000" + "0001" + "00000034"
                    + "45" + "00" + "0030" + hex(B + ",i,0x" + String.format("%012x", b.isid())) + "000000";
            assertThat(hex(d)).isEqualTo(expected);
        }
    }
}
