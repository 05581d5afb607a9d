package io.xtarget.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.iscsi.IscsiPorts;
import io.xtarget.scsi.Cdb;
import io.xtarget.scsi.CommandDescriptor;
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
import io.xtarget.scsi.copy.CopyCommandSet;
import io.xtarget.testing.HeapStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every row of the standard opcode table against the core's CDB check ({@code CdbUsage.check},
 * run by {@link ScsiCore#execute}): for every bit of the CDB after the opcode, a CDB with only
 * that bit set (plus the row's service action) is refused with INVALID FIELD IN CDB and a field
 * pointer at that byte and bit when the row's CDB USAGE DATA leaves the bit out, and reaches the
 * handler when the usage data has it. The service action bits of a row that has one are left to
 * the lookup (another value names another row). A new row is covered as soon as it is in the table.
 */
class CdbUsageAuditTest {
    final CopyCommandSet copy = new CopyCommandSet();
    final OpcodeTable table = StandardCommands.table(copy);
    final Nexus nexus = IscsiPorts.nexus("iqn.2026-01.test:audit", 1,
            IscsiPorts.targetPort("iqn.2026-01.test:tgt", 1, 1, 1, "127.0.0.1:3260"));

    @AfterEach
    void close() {
        copy.close();
    }

    /** A CDB of the row's length with its opcode, its service action and {@code bit} of {@code index}. */
    static Cdb withBit(CommandDescriptor d, int index, int bit) {
        int[] b = new int[d.cdbUsage().length];
        b[0] = d.opcode();
        if (d.hasServiceAction()) {
            b[1] = d.serviceAction();
        }
        b[index] |= 1 << bit;
        return Cdb.of(b);
    }

    /** Whether the bit is part of the row's SERVICE ACTION field (byte 1 bits 4..0). */
    static boolean serviceActionBit(CommandDescriptor d, int index, int bit) {
        return d.hasServiceAction() && index == 1 && bit <= 4;
    }

    /** A core over {@code t} with one writable, non-removable LU at LUN 0 and no pending unit attention. */
    final class Rig {
        final LogicalUnit lu = new LogicalUnit("audit", new HeapStore(512, 64), naa(), "audit-1", false);
        final LunMap luns = LunMap.of(List.of(new LunMapping(0, lu, false)));
        final ScsiCore core;
        long tag;

        Rig(OpcodeTable t) {
            core = new ScsiCore(t, List.of());
            core.nexusFormed(nexus, luns);
        }

        ScsiResult run(Cdb cdb) {
            while (lu.unitAttentions().poll(nexus) != null) {
                // a handler may establish one (none should run here, but stay independent of order)
            }
            return core.execute(new ScsiTask(core, nexus, luns, 0, cdb, null, ++tag));
        }
    }

    static byte[] naa() {
        byte[] n = new byte[16];
        n[0] = 0x60;
        n[15] = 0x09;
        return n;
    }

    @Test
    void everyRowHasUsageDataShapedAsSpc4Says() {
        assertThat(table.all()).isNotEmpty();
        for (CommandDescriptor d : table.all()) {
            byte[] u = d.cdbUsage();
            assertThat(u).as("%s: as long as its CDB (CDB SIZE, SPC-4 6.35.3)", d.name())
                    .hasSize(Cdb.standardLength(d.opcode()));
            assertThat(u[0] & 0xFF).as("%s: byte 0 is the opcode", d.name()).isEqualTo(d.opcode());
            if (d.hasServiceAction()) {
                assertThat(u[1] & 0x1F).as("%s: the SERVICE ACTION field holds the service action", d.name())
                        .isEqualTo(d.serviceAction());
            }
            assertThat(u[u.length - 1]).as("%s: CONTROL byte: no vendor bits, NACA or LINK (SAM-5 5.2)", d.name())
                    .isZero();
        }
    }

    @Test
    void everyBitOutsideTheUsageIsInvalidFieldInCdbAtThatByteAndBit() {
        Rig rig = new Rig(table);
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (CommandDescriptor d : table.all()) {
            byte[] u = d.cdbUsage();
            for (int i = 1; i < u.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    if ((u[i] & (1 << bit)) != 0 || serviceActionBit(d, i, bit)) {
                        continue;
                    }
                    checked++;
                    ScsiResult r = rig.run(withBit(d, i, bit));
                    if (r.status() != ScsiStatus.CHECK_CONDITION || !Sense.invalidFieldInCdb(i, bit).equals(r.sense())) {
                        wrong.add(String.format("%s byte %d bit %d: %s %s", d.name(), i, bit, r.status(), r.sense()));
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(500);
        assertThat(wrong).isEmpty();
    }

    @Test
    void everyBitInsideTheUsageReachesTheHandler() {
        // The same rows (flags, medium access, usage data) with a handler that only counts: the
        // real handlers may refuse a value of a field they evaluate, which is not the core's check.
        AtomicInteger ran = new AtomicInteger();
        OpcodeTable.Builder b = OpcodeTable.builder();
        for (CommandDescriptor d : table.all()) {
            b.add(new CommandDescriptor(d.opcode(), d.serviceAction(), d.name(), d.access(), d.flags(), d.cdbUsage(),
                    task -> {
                        ran.incrementAndGet();
                        return ScsiResult.good();
                    }, d.sharedStateWhen()));
        }
        Rig rig = new Rig(b.build());
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        for (CommandDescriptor d : table.all()) {
            byte[] u = d.cdbUsage();
            for (int i = 1; i < u.length; i++) {
                for (int bit = 0; bit < 8; bit++) {
                    if ((u[i] & (1 << bit)) == 0 || serviceActionBit(d, i, bit)) {
                        continue;
                    }
                    checked++;
                    int before = ran.get();
                    ScsiResult r = rig.run(withBit(d, i, bit));
                    if (r.status() != ScsiStatus.GOOD || ran.get() != before + 1) {
                        wrong.add(String.format("%s byte %d bit %d: %s %s", d.name(), i, bit, r.status(), r.sense()));
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(500);
        assertThat(wrong).isEmpty();
    }
}
