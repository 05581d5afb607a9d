package io.xtarget.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.testing.HeapStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reset rule of {@link LunMap}: who may issue LOGICAL UNIT RESET and target resets. */
class LunMapTest {
    private static LogicalUnit unit(String name, int id) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = (byte) id;
        return new LogicalUnit(name, new HeapStore(512, 64), naa, "serial" + id, false);
    }

    private final LogicalUnit a = unit("a", 1);
    private final LogicalUnit b = unit("b", 2);
    private final LunMap readWrite = LunMap.of(List.of(new LunMapping(0, a, false), new LunMapping(1, b, false)));
    private final LunMap mixed = LunMap.of(List.of(new LunMapping(0, a, false), new LunMapping(1, b, true)));

    @Test
    void byDefaultReadWriteMappingsMayResetAndReadOnlyOnesMayNot() {
        assertThat(readWrite.resets()).isNull();
        assertThat(readWrite.mayResetLogicalUnit(0)).isTrue();
        assertThat(readWrite.mayResetLogicalUnit(1)).isTrue();
        assertThat(readWrite.mayResetTarget()).isTrue();

        assertThat(mixed.mayResetLogicalUnit(0)).as("its own read-write LUN").isTrue();
        assertThat(mixed.mayResetLogicalUnit(1)).as("a read-only LUN").isFalse();
        assertThat(mixed.mayResetTarget()).as("one read-only mapping refuses target resets").isFalse();
    }

    @Test
    void anUnmappedLunOrAnEmptyMapGrantsNoReset() {
        assertThat(readWrite.mayResetLogicalUnit(7)).isFalse();
        assertThat(LunMap.EMPTY.mayResetTarget()).as("a host that sees no LUN").isFalse();
        assertThat(LunMap.EMPTY.withResets(true).mayResetTarget()).isTrue();
        assertThat(LunMap.EMPTY.withResets(true).mayResetLogicalUnit(0)).as("still needs the LUN mapped").isFalse();
    }

    @Test
    void anExplicitGrantOverridesTheRule() {
        LunMap allowed = mixed.withResets(true);
        assertThat(allowed.resets()).isTrue();
        assertThat(allowed.mayResetLogicalUnit(1)).isTrue();
        assertThat(allowed.mayResetTarget()).isTrue();

        LunMap refused = readWrite.withResets(false);
        assertThat(refused.mayResetLogicalUnit(0)).isFalse();
        assertThat(refused.mayResetTarget()).isFalse();

        assertThat(refused.withResets(null).mayResetTarget()).as("null: back to the rule").isTrue();
    }

    @Test
    void theGrantIsNoPartOfTheMappings() {
        assertThat(readWrite.withResets(false).sameMappings(readWrite)).isTrue();
        assertThat(readWrite.withResets(false).mappings()).containsExactlyElementsOf(readWrite.mappings());
        assertThat(mixed.sameMappings(readWrite)).isFalse();
    }
}
