package io.xtarget.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IscsiUrlTest {
    @Test
    void parsesHostPortTargetLun() {
        IscsiUrl u = IscsiUrl.parse("iscsi://127.0.0.1:3261/iqn.2026-11.io.tgt:base/1");
        assertThat(u).isEqualTo(new IscsiUrl("127.0.0.1", 3261, "iqn.2026-11.io.tgt:base", 1));
        assertThat(u.toString()).isEqualTo("iscsi://127.0.0.1:3261/iqn.2026-11.io.tgt:base/1");
    }

    @Test
    void defaultPortIs3260AndNamesAreLowerCased() {
        IscsiUrl u = IscsiUrl.parse("ISCSI://storage.example/IQN.2001-04.com.Example:Disk/0");
        assertThat(u.host()).isEqualTo("storage.example");
        assertThat(u.port()).isEqualTo(3260);
        assertThat(u.targetName()).isEqualTo("iqn.2001-04.com.example:disk");
        assertThat(u.lun()).isZero();
    }

    @Test
    void bracketedIpv6Host() {
        IscsiUrl u = IscsiUrl.parse("iscsi://[::1]:3262/iqn.x:y/16383");
        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.port()).isEqualTo(3262);
        assertThat(u.lun()).isEqualTo(16383);
        assertThat(u.toString()).isEqualTo("iscsi://[::1]:3262/iqn.x:y/16383");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "http://h/iqn.x/1|must start with iscsi://",
        "iscsi://h|needs /target/lun",
        "iscsi://h/iqn.x|needs a LUN",
        "iscsi:///iqn.x/1|empty host",
        "iscsi://h:/iqn.x/1|bad port",
        "iscsi://h:0/iqn.x/1|outside 1..65535",
        "iscsi://h:65536/iqn.x/1|outside 1..65535",
        "iscsi://h:12ab/iqn.x/1|bad port",
        "iscsi://h//1|empty target name",
        "iscsi://h/iqn.x/|bad LUN",
        "iscsi://h/iqn.x/-1|bad LUN",
        "iscsi://h/iqn.x/16384|outside 0..16383",
        "iscsi://h/iqn.x/99999999999|bad LUN",
        "iscsi://h/a/b/1|contains '/'",
        "iscsi://::1/iqn.x/1|brackets",
        "iscsi://[::1/iqn.x/1|unclosed",
        "iscsi://[::1]x/iqn.x/1|junk after",
    })
    void rejectsBadUrlsClearly(String url, String message) {
        assertThatThrownBy(() -> IscsiUrl.parse(url)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> IscsiUrl.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lunFieldUsesPeripheralThenFlatAddressing() {
        assertThat(LunField.encode(0)).isZero();
        assertThat(LunField.encode(1)).isEqualTo(0x0001_0000_0000_0000L);
        assertThat(LunField.encode(255)).isEqualTo(0x00FF_0000_0000_0000L);
        assertThat(LunField.encode(256)).isEqualTo(0x4100_0000_0000_0000L);
        assertThat(LunField.encode(16383)).isEqualTo(0x7FFF_0000_0000_0000L);
        assertThatThrownBy(() -> LunField.encode(16384)).isInstanceOf(IllegalArgumentException.class);
    }
}
