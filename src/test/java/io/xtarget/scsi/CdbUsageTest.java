package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link CdbUsage}: building usage data and the per-bit check with its field pointer (SPC-4 4.5.2.4.2). */
class CdbUsageTest {
    /** A 10-byte CDB: byte 1 = 0x18 (two flags), bytes 2..5 and 7..8 whole fields, control 0. */
    static final byte[] USAGE = CdbUsage.of(0x28, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0xFF, 0xFF, 0);

    static Sense failure(int... cdb) {
        try {
            CdbUsage.check(USAGE, Cdb.of(cdb));
            return null;
        } catch (ScsiException e) {
            assertThat(e.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
            return e.sense();
        }
    }

    @Test
    void ofTakesUnsignedBytes() {
        assertThat(CdbUsage.of(0xA3, 0x0C, 0x87, 0)).containsExactly(0xA3, 0x0C, 0x87, 0);
        assertThatThrownBy(() -> CdbUsage.of(0x28, 0x100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CdbUsage.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bitsInsideTheUsagePass() {
        assertThatCode(() -> CdbUsage.check(USAGE, Cdb.of(0x28, 0x18, 1, 2, 3, 4, 0x1F, 0xFF, 0xFF, 0)))
                .doesNotThrowAnyException();
        assertThatCode(() -> CdbUsage.check(USAGE, Cdb.of(0x28))).doesNotThrowAnyException();
    }

    @Test
    void aBitOutsideIsInvalidFieldInCdbPointingAtItsByteAndBit() {
        assertThat(failure(0x28, 0x01)).isEqualTo(Sense.invalidFieldInCdb(1, 0));
        assertThat(failure(0x28, 0x18 | 0x20)).isEqualTo(Sense.invalidFieldInCdb(1, 5));
        assertThat(failure(0x28, 0, 0, 0, 0, 0, 0x40)).isEqualTo(Sense.invalidFieldInCdb(6, 6));
        assertThat(failure(0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0x04)).isEqualTo(Sense.invalidFieldInCdb(9, 2)); // NACA
        assertThat(failure(0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0x01)).isEqualTo(Sense.invalidFieldInCdb(9, 0)); // LINK
        // C/D=1 and BPV=1 with the bit, byte 9 (SPC-4 4.5.2.4.2)
        assertThat(failure(0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0x04).senseKeySpecific()).isEqualTo(0xCA0009);
    }

    @Test
    void theFirstByteThenItsMostSignificantBitIsNamed() {
        assertThat(failure(0x28, 0x03, 0, 0, 0, 0, 0xE0)).isEqualTo(Sense.invalidFieldInCdb(1, 1));
        assertThat(failure(0x28, 0, 0, 0, 0, 0, 0x60, 0, 0, 0x05)).isEqualTo(Sense.invalidFieldInCdb(6, 6));
    }

    @Test
    void theOpcodeAndBytesPastTheUsageAreNotChecked() {
        assertThatCode(() -> CdbUsage.check(USAGE, Cdb.of(0xFF))).doesNotThrowAnyException();
        assertThatCode(() -> CdbUsage.check(USAGE, Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF)))
                .doesNotThrowAnyException(); // a 16-byte transport field padding a 10-byte CDB
    }
}
