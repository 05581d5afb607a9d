package io.xtarget.scsi.spc;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.LunMapping;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.OpcodeTable;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.ScsiResult;
import io.xtarget.scsi.ScsiStatus;
import io.xtarget.scsi.ScsiTask;
import io.xtarget.scsi.Sense;
import io.xtarget.scsi.UnitAttentions;
import io.xtarget.scsi.sbc.SbcCommandSet;
import io.xtarget.testing.HeapStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where the core's CDB check (bits outside the row's CDB USAGE DATA) sits among its other checks:
 * after LOGICAL UNIT NOT SUPPORTED, the unit attention and RESERVATION CONFLICT (SAM-5 5.3.2),
 * before NOT READY, WRITE PROTECTED and the handler; and what it makes of the CONTROL byte.
 */
class CdbCheckOrderTest {
    private final CoreFixture f = new CoreFixture();

    static void assertSense(ScsiResult r, Sense expected) {
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.sense()).isEqualTo(expected);
    }

    @Test
    void controlByteNacaAndLinkAreInvalidFieldsInCdb() {
        // NORMACA=0 (no ACA: SAM-5 5.2), no linked commands (LINK, SAM-4 5.2), no vendor bits
        assertSense(f.run(f.a, 0x00, 0, 0, 0, 0, 0x04), Sense.invalidFieldInCdb(5, 2));
        assertSense(f.run(f.a, 0x00, 0, 0, 0, 0, 0x01), Sense.invalidFieldInCdb(5, 0));
        assertSense(f.run(f.a, 0x00, 0, 0, 0, 0, 0x80), Sense.invalidFieldInCdb(5, 7));
        assertSense(f.run(f.a, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0x04), Sense.invalidFieldInCdb(11, 2));
        assertThat(f.run(f.a, 0x00, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void anUnmappedLunIsReportedFirstAndNoLuRowsAreCheckedToo() {
        assertSense(f.run(f.a, 7, new int[] {0x00, 1, 0, 0, 0, 0}, null), Sense.lunNotSupported());
        assertSense(f.run(f.a, 7, new int[] {0x12, 0x02, 0, 0, 96, 0}, null), Sense.invalidFieldInCdb(1, 1)); // CMDDT
        assertThat(f.run(f.a, 7, new int[] {0x12, 0, 0, 0, 96, 0}, null).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void aPendingUnitAttentionIsReportedBeforeTheCdbCheck() {
        f.lu.unitAttentions().establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, f.b);
        assertSense(f.run(f.a, 0x00, 0x01, 0, 0, 0, 0), UnitAttentions.MODE_PARAMETERS_CHANGED);
        assertSense(f.run(f.a, 0x00, 0x01, 0, 0, 0, 0), Sense.invalidFieldInCdb(1, 0));
        // INQUIRY neither reports nor clears it (UA_EXEMPT), so its CDB check comes first
        f.lu.unitAttentions().establishForAll(UnitAttentions.MODE_PARAMETERS_CHANGED, f.b);
        assertSense(f.run(f.a, 0x12, 0x02, 0, 0, 96, 0), Sense.invalidFieldInCdb(1, 1));
        assertSense(f.run(f.a, 0x00, 0, 0, 0, 0, 0), UnitAttentions.MODE_PARAMETERS_CHANGED);
    }

    @Test
    void reservationConflictGoesBeforeTheCdbCheck() {
        assertThat(f.run(f.b, 0x16, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD); // B: RESERVE(6)
        // SAM-5 5.3.2: RESERVATION CONFLICT takes precedence over any other status
        assertThat(f.run(f.a, 0x1A, 0x01, 0x3F, 0, 0xFF, 0).status()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT);
        assertSense(f.run(f.b, 0x1A, 0x01, 0x3F, 0, 0xFF, 0), Sense.invalidFieldInCdb(1, 0));
    }

    @Test
    void theCdbCheckGoesBeforeWriteProtectionAndTheHandler() {
        byte[] page = new byte[4]; // a MODE SELECT(6) header without pages: changes nothing
        // LUN 1 is a read-only mapping: MODE SELECT is refused there, but a reserved bit first
        assertSense(f.run(f.a, 1, new int[] {0x15, 0x10, 0x01, 0, 4, 0}, page), Sense.invalidFieldInCdb(2, 0));
        assertSense(f.run(f.a, 1, new int[] {0x15, 0x10, 0, 0, 4, 0}, page), Sense.writeProtected());
        // SP: nothing can be saved; the handler never sees it
        assertSense(f.run(f.a, 0, new int[] {0x15, 0x11, 0, 0, 4, 0}, page), Sense.invalidFieldInCdb(1, 0));
        assertThat(f.run(f.a, 0, new int[] {0x15, 0x10, 0, 0, 4, 0}, page).status()).isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void theCdbCheckGoesBeforeNotReady() {
        LogicalUnit lu = new LogicalUnit("cd0", new HeapStore(512, 64), CoreFixture.NAA, "sn-cd0", false, true);
        LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
        ScsiCore core = new ScsiCore(
                OpcodeTable.builder().addAll(new SpcCommandSet()).addAll(new SbcCommandSet()).build(), List.of());
        Nexus n = f.a;
        core.nexusFormed(n, luns);
        assertThat(core.execute(new ScsiTask(core, n, luns, 0, Cdb.of(0x1B, 0, 0, 0, 0x02, 0), null, 1)).status())
                .isEqualTo(ScsiStatus.GOOD); // eject
        Cdb read = Cdb.of(0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0);
        assertSense(core.execute(new ScsiTask(core, n, luns, 0, read, null, 2)), Sense.mediumNotPresent());
        Cdb reservedBit = Cdb.of(0x28, 0, 0, 0, 0, 0, 0x80, 0, 1, 0); // byte 6 bit 7: reserved
        assertSense(core.execute(new ScsiTask(core, n, luns, 0, reservedBit, null, 3)), Sense.invalidFieldInCdb(6, 7));
    }
}
