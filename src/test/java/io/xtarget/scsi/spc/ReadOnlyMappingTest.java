package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static io.xtarget.scsi.spc.CoreFixture.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.Sense;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The SPC rows a read-only mapping refuses because they change state every I_T nexus shares
 * (SPC-4 5.12 reservations, SPC-4 7.5 mode pages): WRITE PROTECTED, nothing changed. The fixture
 * maps the same LU read-write at LUN 0 and read-only at LUN 1.
 */
class ReadOnlyMappingTest {
    static final int RW = 0;
    static final int RO = 1;
    static final long KEY_A = 0xA1;
    static final long KEY_B = 0xB2;
    static final int WRITE_EXCLUSIVE = 1;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 7;

    final CoreFixture f = new CoreFixture();

    ScsiResult prout(Nexus n, int lun, int sa, int type, long key, long saKey) {
        byte[] p = ByteBuffer.allocate(24).putLong(key).putLong(saKey).array();
        return f.run(n, lun, new int[] {0x5F, sa, type, 0, 0, 0, 0, 0, 24, 0}, p);
    }

    String readReservation() {
        return hex(data(f.run(f.a, 0x5E, 1, 0, 0, 0, 0, 0, 0, 100, 0)));
    }

    String readKeys() {
        return hex(data(f.run(f.a, 0x5E, 0, 0, 0, 0, 0, 0, 0, 100, 0)));
    }

    static void assertWriteProtected(ScsiResult r) {
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.sense()).isEqualTo(Sense.writeProtected());
    }

    void assertBWrites() {
        assertThat(f.run(f.b, RW, new int[] {0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void registerAndRegisterAndIgnoreExistingKeyAreAllowed() {
        assertThat(prout(f.b, RO, 0, 0, 0, KEY_B).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(prout(f.b, RO, 6, 0, 0, KEY_B + 1).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(readKeys()).isEqualTo("00000002" + "00000008" + "00000000000000b3");
        assertBWrites();
    }

    @Test
    void reserveFromReadOnlyIsWriteProtected() {
        assertThat(prout(f.b, RO, 0, 0, 0, KEY_B).status()).isEqualTo(ScsiStatus.GOOD);
        String before = readReservation();
        assertWriteProtected(prout(f.b, RO, 1, WRITE_EXCLUSIVE, KEY_B, 0));
        assertThat(readReservation()).isEqualTo(before).endsWith("00000000"); // ADDITIONAL LENGTH 0: none
        assertThat(f.run(f.a, RW, new int[] {0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }

    /** RELEASE, CLEAR, PREEMPT, PREEMPT AND ABORT of A's Write Exclusive All Registrants reservation. */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5})
    void releaseClearAndPreemptFromReadOnlyAreWriteProtected(int sa) {
        assertThat(prout(f.a, RW, 0, 0, 0, KEY_A).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(prout(f.b, RO, 0, 0, 0, KEY_B).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(prout(f.a, RW, 1, WRITE_EXCLUSIVE_ALL_REGISTRANTS, KEY_A, 0).status()).isEqualTo(ScsiStatus.GOOD);
        String keys = readKeys();
        String reservation = readReservation();
        long saKey = sa == 4 || sa == 5 ? KEY_A : 0;
        assertWriteProtected(prout(f.b, RO, sa, WRITE_EXCLUSIVE_ALL_REGISTRANTS, KEY_B, saKey));
        assertThat(readKeys()).isEqualTo(keys);
        assertThat(readReservation()).isEqualTo(reservation).endsWith("00070000"); // still WEAR
        assertThat(f.run(f.a, RW, new int[] {0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x16, 0x56})
    void reserve6And10FromReadOnlyAreWriteProtected(int opcode) {
        int[] cdb = opcode == 0x16 ? new int[] {0x16, 0, 0, 0, 0, 0} : new int[] {0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        assertWriteProtected(f.run(f.b, RO, cdb, null));
        assertThat(f.lu.reservations().reservedByOther(f.a)).isFalse();
        assertThat(f.run(f.a, RW, new int[] {0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void release6FromReadOnlyIsAllowed() {
        assertThat(f.run(f.b, RO, new int[] {0x17, 0, 0, 0, 0, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void modeSelectFromReadOnlyIsWriteProtectedAndChangesNothing() {
        byte[] swp = hex("00000000" + "0a0a200008000000ffff0000");
        assertWriteProtected(f.run(f.b, RO, new int[] {0x15, 0x10, 0, 0, swp.length, 0}, swp));
        byte[] noWce = hex("0000000000000000" + "0812" + "00".repeat(18));
        assertWriteProtected(f.run(f.b, RO, new int[] {0x55, 0x10, 0, 0, 0, 0, 0, 0, noWce.length, 0}, noWce));
        assertThat(f.lu.mode().softwareWriteProtect).isFalse();
        assertThat(f.lu.mode().writeCacheEnabled).isTrue();
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).status()).as("no MODE PARAMETERS CHANGED").isEqualTo(ScsiStatus.GOOD);
        // MODE SENSE stays allowed
        assertThat(f.run(f.b, RO, new int[] {0x1A, 0x08, 0x0A, 0, 255, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }
}
