package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.spc.CoreFixture;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The core's read-only check, from the row alone: a mapping with {@code readOnly} refuses a row
 * flagged {@link CommandDescriptor.Flag#SHARED_STATE} (for the CDBs its predicate names) with DATA
 * PROTECT / WRITE PROTECTED before the handler runs; a writable mapping runs it.
 */
class SharedStateCheckTest {
    static final int RW = 0;
    static final int RO = 1;
    static final int SHARED = 0xC0;
    static final int SHARED_IF_BIT = 0xC1;
    static final int PLAIN = 0xC2;

    final AtomicInteger ran = new AtomicInteger();
    final CoreFixture f = new CoreFixture(t -> {
        t.add(row(SHARED, Set.of(CommandDescriptor.Flag.SHARED_STATE)));
        t.add(row(SHARED_IF_BIT, Set.of()).withSharedStateWhen(cdb -> cdb.bit(1, 0)));
        t.add(row(PLAIN, Set.of()));
    });

    CommandDescriptor row(int opcode, Set<CommandDescriptor.Flag> flags) {
        return new CommandDescriptor(opcode, -1, "TEST " + opcode, MediumAccess.NONE, flags, new byte[] {(byte) opcode},
                task -> {
                    ran.incrementAndGet();
                    return ScsiResult.good();
                });
    }

    ScsiResult run(int lun, int... cdb) {
        return f.run(f.a, lun, cdb, null);
    }

    static void assertWriteProtected(ScsiResult r) {
        assertThat(r.status()).isEqualTo(ScsiStatus.CHECK_CONDITION);
        assertThat(r.sense()).isEqualTo(Sense.writeProtected());
    }

    @Test
    void readOnlyMappingRefusesASharedStateRowBeforeTheHandler() {
        assertWriteProtected(run(RO, SHARED, 0, 0, 0, 0, 0));
        assertThat(ran).hasValue(0);
        assertThat(run(RW, SHARED, 0, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(ran).hasValue(1);
    }

    @Test
    void thePredicateOnTheRowDecidesByCdbField() {
        assertWriteProtected(run(RO, SHARED_IF_BIT, 0x01, 0, 0, 0, 0));
        assertThat(ran).hasValue(0);
        assertThat(run(RO, SHARED_IF_BIT, 0x00, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(run(RW, SHARED_IF_BIT, 0x01, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(ran).hasValue(2);
    }

    @Test
    void rowsWithoutTheFlagRunOnAReadOnlyMapping() {
        assertThat(run(RO, PLAIN, 0xFF, 0, 0, 0, 0).status()).isEqualTo(ScsiStatus.GOOD);
        assertThat(run(RO, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0).status()).as("READ").isEqualTo(ScsiStatus.GOOD);
        assertWriteProtected(run(RO, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0)); // WRITE: MediumAccess.WRITE, as before
    }

    @Test
    void readOnlyComesBeforeSoftwareWriteProtect() {
        f.lu.mode().softwareWriteProtect = true;
        assertWriteProtected(run(RO, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0));
        assertThat(run(RW, 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0).sense()).isEqualTo(new Sense(SenseKey.DATA_PROTECT, 0x27, 0x02));
        assertThat(run(RW, SHARED, 0, 0, 0, 0, 0).status()).as("SWP is about writes only").isEqualTo(ScsiStatus.GOOD);
    }

    @Test
    void descriptorVerdicts() {
        CommandDescriptor write = new CommandDescriptor(0x2A, -1, "W", MediumAccess.WRITE, Set.of(), new byte[] {0x2A},
                task -> ScsiResult.good());
        CommandDescriptor plain = row(PLAIN, Set.of());
        CommandDescriptor narrowed = row(PLAIN, Set.of(CommandDescriptor.Flag.QUICK)).withSharedStateWhen(c -> c.bit(1, 0));
        Cdb bitSet = Cdb.of(PLAIN, 1);
        assertThat(write.refusedReadOnly(Cdb.of(0x2A))).isTrue();
        assertThat(write.changesSharedState(Cdb.of(0x2A))).isFalse();
        assertThat(plain.refusedReadOnly(bitSet)).isFalse();
        assertThat(narrowed.has(CommandDescriptor.Flag.SHARED_STATE)).isTrue();
        assertThat(narrowed.has(CommandDescriptor.Flag.QUICK)).as("other flags kept").isTrue();
        assertThat(narrowed.refusedReadOnly(bitSet)).isTrue();
        assertThat(narrowed.refusedReadOnly(Cdb.of(PLAIN, 0))).isFalse();
    }

    @Test
    void aPredicateWithoutTheFlagIsAProgrammingError() {
        assertThatThrownBy(() -> new CommandDescriptor(PLAIN, -1, "X", MediumAccess.NONE, Set.of(), new byte[] {0},
                task -> ScsiResult.good(), cdb -> true)).isInstanceOf(IllegalArgumentException.class);
    }
}
