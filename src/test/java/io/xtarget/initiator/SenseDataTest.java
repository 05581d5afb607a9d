package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SenseDataTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void fixedFormatWithInformationAndSenseKeySpecific() {
        // 0xF0: VALID + current fixed; key MEDIUM ERROR with ILI; information 0x00012345;
        // command-specific 0xCAFEBABE; asc/ascq 11/00 (UNRECOVERED READ ERROR); SKSV + 0x0102.
        byte[] s = hex("f0 00 23 00012345 0a cafebabe 11 00 00 800102");
        SenseData d = SenseData.parse(s).orElseThrow();
        assertThat(d.responseCode()).isEqualTo(0x70);
        assertThat(d.descriptorFormat()).isFalse();
        assertThat(d.deferred()).isFalse();
        assertThat(d.senseKey()).isEqualTo(3);
        assertThat(d.ili()).isTrue();
        assertThat(d.filemark()).isFalse();
        assertThat(d.informationValid()).isTrue();
        assertThat(d.information()).isEqualTo(0x12345L);
        assertThat(d.commandSpecific()).isEqualTo(0xCAFEBABEL);
        assertThat(d.asc()).isEqualTo(0x11);
        assertThat(d.ascq()).isZero();
        assertThat(d.senseKeySpecific()).isEqualTo(0x800102);
    }

    @Test
    void fixedFormatIllegalRequestInvalidFieldInCdb() {
        // 70h, ILLEGAL REQUEST, additional length 10, 24/00, SKSV C/D=1 field pointer byte 2.
        SenseData d = SenseData.parse(hex("70 00 05 00000000 0a 00000000 24 00 00 c00002")).orElseThrow();
        assertThat(d.senseKey()).isEqualTo(5);
        assertThat(d.asc()).isEqualTo(0x24);
        assertThat(d.informationValid()).isFalse();
        assertThat(d.senseKeySpecific()).isEqualTo(0xC00002);
        assertThat(d.toString()).isEqualTo("sense key 0x5 asc 0x24 ascq 0x00");
    }

    @Test
    void fixedFormatFieldsBeyondAdditionalLengthReadAsZero() {
        // Additional length 4 covers only command-specific bytes; ASC bytes present but not counted.
        SenseData d = SenseData.parse(hex("71 00 06 00000000 04 00000001 29 00")).orElseThrow();
        assertThat(d.deferred()).isTrue();
        assertThat(d.senseKey()).isEqualTo(6);
        assertThat(d.commandSpecific()).isEqualTo(1);
        assertThat(d.asc()).isZero();
    }

    @Test
    void descriptorFormatWithInformationCommandSpecificAndSks() {
        byte[] s = hex("72 04 44 00 00 00 00 28"
                + "00 0a 80 00 0000000000abcdef"       // information, VALID
                + "01 0a 00 00 1122334455667788"       // command-specific
                + "02 06 00 00 80 0005 00"              // sense key specific
                + "05 02 00 20");                       // block commands: ILI
        SenseData d = SenseData.parse(s).orElseThrow();
        assertThat(d.responseCode()).isEqualTo(0x72);
        assertThat(d.descriptorFormat()).isTrue();
        assertThat(d.senseKey()).isEqualTo(4);
        assertThat(d.asc()).isEqualTo(0x44);
        assertThat(d.ascq()).isZero();
        assertThat(d.informationValid()).isTrue();
        assertThat(d.information()).isEqualTo(0xABCDEFL);
        assertThat(d.commandSpecific()).isEqualTo(0x1122334455667788L);
        assertThat(d.senseKeySpecific()).isEqualTo(0x800005);
        assertThat(d.ili()).isTrue();
    }

    @Test
    void descriptorFormatStopsAtTruncatedDescriptor() {
        // Additional length claims 0x0c but the information descriptor is cut short.
        SenseData d = SenseData.parse(hex("73 02 04 01 00 00 00 0c 00 0a 80 00 0000")).orElseThrow();
        assertThat(d.deferred()).isTrue();
        assertThat(d.senseKey()).isEqualTo(2);
        assertThat(d.asc()).isEqualTo(4);
        assertThat(d.ascq()).isEqualTo(1);
        assertThat(d.informationValid()).isFalse();
    }

    @Test
    void unknownOrEmptySenseIsAbsent() {
        assertThat(SenseData.parse(new byte[0])).isEmpty();
        assertThat(SenseData.parse(null)).isEmpty();
        assertThat(SenseData.parse(hex("7f 00 05"))).isEmpty();
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(3);
        for (int i = 0; i < 50000; i++) {
            byte[] b = new byte[r.nextInt(40)];
            r.nextBytes(b);
            if (b.length > 0) {
                b[0] = (byte) (0x70 + r.nextInt(4));
            }
            SenseData.parse(b);
        }
    }

    @Test
    void commandResultExposesParsedSense() {
        CommandResult r = new CommandResult(2, hex("70 00 05 00000000 0a 00000000 20 00 00 000000"), null, false,
                false, 0);
        assertThat(r.good()).isFalse();
        assertThat(r.senseData().orElseThrow().asc()).isEqualTo(0x20);
        assertThat(r.data().remaining()).isZero();
    }
}
