package io.xtarget.scsi.spc;

import static io.xtarget.scsi.spc.CoreFixture.data;
import static io.xtarget.scsi.spc.CoreFixture.hex;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.UnitAttentions;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PersistentReservationTest {
    private static final long K1 = 0x1111L;
    private static final long K2 = 0x2222L;

    private final CoreFixture f = new CoreFixture();

    private ScsiResult prout(Nexus n, int sa, int type, long key, long saKey) {
        byte[] p = ByteBuffer.allocate(24).putLong(key).putLong(saKey).array();
        return f.run(n, 0, new int[] {0x5F, sa, type, 0, 0, 0, 0, 0, 24, 0}, p);
    }

    private ScsiResult prin(Nexus n, int sa, int alloc) {
        return f.run(n, 0x5E, sa, 0, 0, 0, 0, 0, alloc >>> 8, alloc & 0xFF, 0);
    }

    private ScsiStatus read(Nexus n) {
        return f.run(n, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0).status();
    }

    private ScsiStatus write(Nexus n) {
        return f.run(n, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0).status();
    }

    private void registerBoth() {
        assertThat(prout(f.a, 6, 0, 0, K1).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(prout(f.b, 6, 0, 0, K2).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void registerReadKeysAndUnregister() {
        assertThat(prout(f.a, 0, 0, 0, K1).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(prin(f.a, 0, 100)))).isEqualTo("00000001" + "00000008" + "0000000000001111");
        // Re-registering with RESERVATION KEY 0 while registered is a conflict.
        assertThat(prout(f.a, 0, 0, 0, K1 + 1).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(prout(f.a, 0, 0, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(prin(f.a, 0, 100)))).isEqualTo("00000002" + "00000000");
    }

    @Test
    void readKeysIsCutToAllocationLength() {
        registerBoth();
        assertThat(hex(data(prin(f.a, 0, 12)))).isEqualTo("00000002" + "00000010" + "00000000");
    }

    @Test
    void readReservationAndCapabilities() {
        registerBoth();
        assertThat(prout(f.a, 1, 3, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(prin(f.b, 1, 100))))
                .isEqualTo("00000002" + "00000010" + "0000000000001111" + "00000000" + "00" + "03" + "0000");
        assertThat(hex(data(prin(f.a, 2, 100)))).isEqualTo("0008" + "1080" + "ea01" + "0000");
    }

    @Test
    void readFullStatusDescribesEveryRegistrant() {
        registerBoth();
        prout(f.b, 1, 1, K2, 0);
        byte[] d = data(prin(f.a, 3, 1000));
        String nameA = hex(f.a.initiatorPortName().getBytes());
        int lenA = (f.a.initiatorPortName().length() + 4) & ~3;
        String first = "0000000000001111" + "00000000" + "00" + "00" + "00000000" + "0001"
                + String.format("%08x", 4 + lenA) + "4500" + String.format("%04x", lenA) + nameA
                + "00".repeat(lenA - f.a.initiatorPortName().length());
        assertThat(hex(d)).startsWith("00000002" + String.format("%08x", d.length - 8) + first);
        int second = 8 + first.length() / 2;
        assertThat(hex(java.util.Arrays.copyOfRange(d, second, second + 14))).isEqualTo("0000000000002222" + "00000000" + "0101");
    }

    @Test
    void invalidServiceActionsAreRejectedByTheCore() {
        for (int sa = 4; sa < 0x20; sa++) {
            assertThat(prin(f.a, sa, 100).sense().asc()).isEqualTo(0x24);
        }
        assertThat(prout(f.a, 7, 0, 0, 0).sense().asc()).isEqualTo(0x24);
    }

    @ParameterizedTest
    @CsvSource({
        // type, registered B read, registered B write, unregistered B read, unregistered B write
        "1, GOOD, RESERVATION_CONFLICT, GOOD, RESERVATION_CONFLICT",
        "3, RESERVATION_CONFLICT, RESERVATION_CONFLICT, RESERVATION_CONFLICT, RESERVATION_CONFLICT",
        "5, GOOD, GOOD, GOOD, RESERVATION_CONFLICT",
        "6, GOOD, GOOD, RESERVATION_CONFLICT, RESERVATION_CONFLICT",
        "7, GOOD, GOOD, GOOD, RESERVATION_CONFLICT",
        "8, GOOD, GOOD, RESERVATION_CONFLICT, RESERVATION_CONFLICT",
    })
    void accessByReservationType(int type, ScsiStatus regRead, ScsiStatus regWrite, ScsiStatus unregRead,
            ScsiStatus unregWrite) {
        registerBoth();
        assertThat(prout(f.a, 1, type, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(read(f.a)).isEqualTo(ScsiStatus.GOOD);
        assertThat(write(f.a)).isEqualTo(ScsiStatus.GOOD);
        assertThat(read(f.b)).isEqualTo(regRead);
        assertThat(write(f.b)).isEqualTo(regWrite);
        assertThat(prout(f.b, 0, 0, K2, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(read(f.b)).isEqualTo(unregRead);
        assertThat(write(f.b)).isEqualTo(unregWrite);
        // TEST UNIT READY and INQUIRY are allowed under every type; MODE SENSE is not.
        assertThat(f.run(f.b, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.b, 0x12, 0, 0, 0, 36, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.b, 0x1A, 0, 0x3F, 0, 255, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(prout(f.a, 2, type, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(write(f.b)).isEqualTo(ScsiStatus.GOOD);
    }

    @ParameterizedTest
    @CsvSource({"1, false", "3, false", "5, false", "6, false", "7, true", "8, true"})
    void unregisteringTheHolderReleasesUnlessAllRegistrants(int type, boolean shared) {
        registerBoth();
        prout(f.a, 1, type, K1, 0);
        assertThat(prout(f.a, 0, 0, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        byte[] rr = data(prin(f.a, 1, 100));
        if (shared) {
            assertThat(hex(rr)).isEqualTo("00000003" + "00000010" + "0000000000000000" + "00000000" + "00"
                    + String.format("%02x", type) + "0000");
            assertThat(prout(f.b, 2, type, K2, 0).status()).isEqualTo(ScsiStatus.GOOD);
        } else {
            assertThat(hex(rr)).isEqualTo("00000003" + "00000000");
        }
        // Registrants-only types tell the other registrants the reservation is gone; with
        // all-registrants types B released it itself.
        ScsiResult tur = f.run(f.b, 0, 0, 0, 0, 0, 0);
        if (type == 5 || type == 6) {
            assertThat(tur.sense()).isEqualTo(UnitAttentions.RESERVATIONS_RELEASED);
        } else {
            assertThat(tur.status()).isEqualTo(ScsiStatus.GOOD);
        }
    }

    @Test
    void reserveRules() {
        assertThat(prout(f.a, 1, 1, K1, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT); // unregistered
        registerBoth();
        assertThat(prout(f.a, 1, 1, K2, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT); // wrong key
        assertThat(prout(f.a, 1, 2, K1, 0).sense().asc()).isEqualTo(0x24); // invalid type
        assertThat(prout(f.a, 1, 0x11, K1, 0).sense().asc()).isEqualTo(0x24); // scope not LU
        assertThat(prout(f.a, 1, 1, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(prout(f.a, 1, 1, K1, 0).status()).isEqualTo(ScsiStatus.GOOD); // same again
        assertThat(prout(f.a, 1, 3, K1, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(prout(f.b, 1, 1, K2, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(prout(f.b, 2, 1, K2, 0).status()).isEqualTo(ScsiStatus.GOOD); // non-holder: no-op
        assertThat(prout(f.a, 2, 3, K1, 0).sense().asc()).isEqualTo(0x26); // INVALID RELEASE
        assertThat(hex(data(prin(f.a, 1, 100)))).endsWith("0001" + "0000");
    }

    @Test
    void clearRemovesEverythingAndTellsTheOthers() {
        registerBoth();
        prout(f.a, 1, 3, K1, 0);
        assertThat(prout(f.a, 3, 0, K1, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(prin(f.a, 0, 100)))).isEqualTo("00000003" + "00000000");
        assertThat(hex(data(prin(f.a, 1, 100)))).isEqualTo("00000003" + "00000000");
        assertThat(f.run(f.b, 0, 0, 0, 0, 0, 0).sense()).isEqualTo(UnitAttentions.RESERVATIONS_PREEMPTED);
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void preemptRemovesARegistrationWithoutReservation() {
        registerBoth();
        assertThat(prout(f.b, 4, 3, K2, K1).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).sense()).isEqualTo(UnitAttentions.REGISTRATIONS_PREEMPTED);
        assertThat(hex(data(prin(f.a, 0, 100)))).isEqualTo("00000003" + "00000008" + "0000000000002222");
        assertThat(prout(f.b, 4, 3, K2, 0x9999).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(prout(f.b, 4, 3, K2, 0).sense().asc()).isEqualTo(0x26);
    }

    @Test
    void preemptingTheHolderMovesTheReservation() {
        registerBoth();
        prout(f.a, 1, 3, K1, 0);
        assertThat(prout(f.b, 5, 1, K2, K1).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(hex(data(prin(f.b, 1, 100))))
                .isEqualTo("00000003" + "00000010" + "0000000000002222" + "00000000" + "00" + "01" + "0000");
        assertThat(f.run(f.a, 0, 0, 0, 0, 0, 0).sense()).isEqualTo(UnitAttentions.REGISTRATIONS_PREEMPTED);
        assertThat(read(f.a)).isEqualTo(ScsiStatus.GOOD);
        assertThat(write(f.a)).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
    }

    @Test
    void spc2ReservationBlocksTheOtherInitiator() {
        assertThat(f.run(f.a, 0x16, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.a, 0x16, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.b, 0x16, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(f.run(f.b, 0x17, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD); // no-op
        assertThat(f.run(f.b, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(f.run(f.b, 0x1A, 0, 0x3F, 0, 255, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(f.run(f.b, 0x12, 0, 0, 0, 36, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(prin(f.b, 0, 100).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(f.run(f.a, 0x1A, 0, 0x3F, 0, 255, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.a, 0x17, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.b, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(f.run(f.a, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        f.lu.reservations().nexusLost(f.b);
        assertThat(write(f.a)).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void spc2ThirdPartyAndLongIdAreInvalid() {
        assertThat(f.run(f.a, 0x16, 0x10, 0, 0, 0, 0).sense().asc()).isEqualTo(0x24);
        assertThat(f.run(f.a, 0x56, 0x02, 0, 0, 0, 0, 0, 0, 0, 0).sense().asc()).isEqualTo(0x24);
    }

    @Test
    void spc2ReserveConflictsWhileRegistrationsExist() {
        prout(f.a, 6, 0, 0, K1);
        assertThat(f.run(f.a, 0x16, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertThat(f.run(f.a, 0x17, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
    }

    @Test
    void parameterListMustBe24Bytes() {
        ScsiResult r = f.run(f.a, 0, new int[] {0x5F, 6, 0, 0, 0, 0, 0, 0, 20, 0}, new byte[20]);
        assertThat(r.sense().asc()).isEqualTo(0x1A);
        byte[] aptpl = new byte[24];
        aptpl[20] = 1;
        assertThat(f.run(f.a, 0, new int[] {0x5F, 6, 0, 0, 0, 0, 0, 0, 24, 0}, aptpl).sense().asc()).isEqualTo(0x26);
    }
}
