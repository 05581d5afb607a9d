package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static io.xtarget.scsi.spc.CoreFixture.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.SenseKey;
import io.xtarget.scsi.UnitAttentions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ReportCommandsTest {
    private final CoreFixture f = new CoreFixture();

    @Test
    void testUnitReady() {
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.a, 5, new int[] {0, 0, 0, 0, 0, 0}, null).sense().asc()).isEqualTo(0x25);
    }

    @Test
    void requestSenseReturnsAndClearsAUnitAttention() {
        f.lu.unitAttentions().establish(f.a, UnitAttentions.CAPACITY_CHANGED);
        ScsiResult r = f.run(f.a, 0x03, 0, 0, 0, 252, 0);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(r))).isEqualTo("700006000000000a000000002a0900000000");
        assertThat(hex(data(f.run(f.a, 0x03, 0, 0, 0, 252, 0)))).isEqualTo("700000000000000a00000000000000000000");
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void requestSenseDescriptorFormatAndAllocationLength() {
        assertThat(hex(data(f.run(f.a, 0x03, 1, 0, 0, 252, 0)))).isEqualTo("7200000000000000");
        assertThat(hex(data(f.run(f.a, 0x03, 0, 0, 0, 3, 0)))).isEqualTo("700000");
    }

    @Test
    void requestSenseOnAnUnmappedLun() {
        ScsiResult r = f.run(f.a, 9, new int[] {0x03, 0, 0, 0, 252, 0}, null);
        assertThat(r.status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(data(r)[2]).isEqualTo((byte) SenseKey.ILLEGAL_REQUEST);
        assertThat(data(r)[12]).isEqualTo((byte) 0x25);
    }

    @Test
    void reportLuns() {
        ScsiResult r = f.run(f.a, 0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
        assertThat(hex(data(r))).isEqualTo("00000010" + "00000000" + "0000000000000000" + "0001000000000000");
        assertThat(hex(data(f.run(f.a, 0xA0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0)))).isEqualTo("0000000000000000");
        assertThat(data(f.run(f.a, 0xA0, 0, 2, 0, 0, 0, 0, 0, 0, 16, 0, 0))).hasSize(16);
        assertThat(f.run(f.a, 0xA0, 0, 3, 0, 0, 0, 0, 0, 1, 0, 0, 0).sense().asc()).isEqualTo(0x24);
        assertThat(f.run(f.a, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 0, 0).sense().asc()).isEqualTo(0x24);
        // REPORT LUNS works through an unmapped LUN and ignores unit attentions.
        f.lu.unitAttentions().establish(f.a, UnitAttentions.CAPACITY_CHANGED);
        assertThat(f.run(f.a, 3, new int[] {0xA0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, null).status())
                .isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void reportSupportedOpcodesAll() {
        byte[] d = data(f.run(f.a, 0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0));
        int rows = f.core.opcodes().all().size();
        assertThat(d).hasSize(4 + 8 * rows);
        assertThat(hex(Arrays.copyOf(d, 12))).isEqualTo(String.format("%08x", 8 * rows) + "0000000000000006");
        // PERSISTENT RESERVE IN / READ RESERVATION: service action 1, SERVACTV.
        int i = 4;
        while ((d[i] & 0xFF) != 0x5E || d[i + 3] != 1) {
            i += 8;
        }
        assertThat(hex(Arrays.copyOfRange(d, i, i + 8))).isEqualTo("5e0000010001000a");
    }

    @Test
    void reportSupportedOpcodesWithTimeouts() {
        byte[] d = data(f.run(f.a, 0xA3, 0x0C, 0x80, 0, 0, 0, 0, 0, 0x10, 0, 0, 0));
        assertThat(d).hasSize(4 + 20 * f.core.opcodes().all().size());
        assertThat(hex(Arrays.copyOfRange(d, 4, 24))).isEqualTo("0000000000020006" + "000a0000" + "0000000000000000");
    }

    @Test
    void reportSupportedOpcodesOneCommand() {
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0C, 1, 0x12, 0, 0, 0, 0, 1, 0, 0, 0))))
                .isEqualTo("00030006" + "1201ffffff00"); // EVPD only: CMDDT is reserved
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0C, 1, 0xC0, 0, 0, 0, 0, 1, 0, 0, 0)))).isEqualTo("00010000");
        // Opcodes with service actions need option 010b, those without need 001b.
        assertThat(f.run(f.a, 0xA3, 0x0C, 1, 0x5E, 0, 0, 0, 0, 1, 0, 0, 0).sense().asc()).isEqualTo(0x24);
        assertThat(f.run(f.a, 0xA3, 0x0C, 2, 0x12, 0, 0, 0, 0, 1, 0, 0, 0).sense().asc()).isEqualTo(0x24);
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0C, 2, 0x5E, 0, 3, 0, 0, 1, 0, 0, 0))))
                .isEqualTo("0003000a" + "5e030000000000ffff00"); // the service action code in byte 1
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0C, 2, 0x5E, 0, 9, 0, 0, 1, 0, 0, 0)))).isEqualTo("00010000");
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0C, 0x83, 0, 0, 0, 0, 0, 1, 0, 0, 0))))
                .isEqualTo("00830006" + "000000000000" + "000a0000" + "0000000000000000");
        assertThat(f.run(f.a, 0xA3, 0x0C, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0).sense().asc()).isEqualTo(0x24);
    }

    @Test
    void reportSupportedTaskManagementFunctions() {
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0)))).isEqualTo("da000000");
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0D, 0x80, 0, 0, 0, 0, 0, 1, 0, 0, 0))))
                .isEqualTo("da00000c" + "00".repeat(12));
        assertThat(f.run(f.a, 0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0).sense().asc()).isEqualTo(0x24);
    }

    @Test
    void reportTargetPortGroups() {
        String groups = "0001" + "0001" + "00000002" + "00000001" + "00000002"
                + "0001" + "0007" + "00000001" + "00000003";
        assertThat(hex(data(f.run(f.a, 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0))))
                .isEqualTo("0000001c" + groups);
        assertThat(hex(data(f.run(f.a, 0xA3, 0x2A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0))))
                .isEqualTo("00000020" + "10000000" + groups);
        assertThat(f.run(f.a, 0xA3, 0x4A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0).sense().asc()).isEqualTo(0x24);
    }
}
