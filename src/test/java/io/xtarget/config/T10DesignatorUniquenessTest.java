package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.scsi.Designator;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.testing.HeapStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The T10 vendor ID based designator of VPD 0x83 (SPC-4 7.8.6.4) differs between LUs in the first
 * 8 characters after the 8-byte vendor field, which is all VMware ESXi and Hyper-V compare, and
 * stays the same across restarts (it follows the persisted NAA).
 */
class T10DesignatorUniquenessTest {

    static String t10(LogicalUnit lu) {
        for (Designator d : lu.designators()) {
            if (d.type() == Designator.TYPE_T10_VENDOR_ID) {
                assertThat(d.codeSet()).isEqualTo(Designator.CODE_SET_ASCII);
                return new String(d.value(), StandardCharsets.US_ASCII);
            }
        }
        throw new AssertionError("no T10 vendor ID designator");
    }

    static LogicalUnit lu(String naa) {
        return new LogicalUnit("lu", new HeapStore(512, 8), Designators.naaBytes(naa), "sn", false);
    }

    static ServerConfig backstores(List<String> naas) {
        List<BackstoreConfig> b = new ArrayList<>();
        for (int i = 0; i < naas.size(); i++) {
            b.add(new BackstoreConfig("b" + i, BackstoreType.RAM, null, 4096L, 512, naas.get(i), null));
        }
        return new ServerConfig(b, List.of());
    }

    @Test
    void firstEightCharactersAfterTheVendorDifferAcrossManyGeneratedLus() {
        List<String> none = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            none.add(null);
        }
        ServerConfig filled = Designators.fillMissing(backstores(none), new Random(42)).config();
        Set<String> prefixes = new HashSet<>();
        for (BackstoreConfig b : filled.backstores()) {
            String t10 = t10(lu(b.naa()));
            assertThat(t10).startsWith("XTARGET ").endsWith(b.naa()).hasSize(8 + 8 + 32);
            assertThat(prefixes.add(t10.substring(8, 16))).as("unique: %s", t10).isTrue();
        }
        ConfigValidator.validate(filled);
    }

    @Test
    void sequentiallyNumberedNaasDifferToo() {
        Set<String> prefixes = new HashSet<>();
        for (int i = 1; i <= 300; i++) {
            String naa = String.format("60a5854%025x", i);
            assertThat(prefixes.add(t10(lu(naa)).substring(8, 16))).isTrue();
        }
    }

    @Test
    void stableForTheSameNaaAcrossRestarts() {
        String naa = "60a5854dbe6f6e55a3b6e625f353d6f4";
        assertThat(t10(lu(naa))).isEqualTo(t10(lu(naa))).isEqualTo("XTARGET f353d6f4" + naa);
    }

    @Test
    void generationSkipsAnNaaWhoseLastEightDigitsAreTaken() {
        // hi, lo, hi, lo, ...: the second NAA would end like the first; the third try is taken
        long[] seq = {1, 5, 2, 5, 3, 6};
        RandomGenerator fixed = new RandomGenerator() {
            int i;

            @Override
            public long nextLong() {
                return seq[i++];
            }
        };
        List<String> none = new ArrayList<>();
        none.add(null);
        none.add(null);
        ServerConfig filled = Designators.fillMissing(backstores(none), fixed).config();
        assertThat(filled.backstores().get(0).naa()).endsWith("0000000005");
        assertThat(filled.backstores().get(1).naa()).endsWith("0000000006").contains("000000000003");
    }

    @Test
    void configWithTwoNaasEndingAlikeIsRejected() {
        ServerConfig c = backstores(List.of("60a58541111111111111111112345678", "60a58542222222222222222212345678"));
        assertThatThrownBy(() -> ConfigValidator.validate(c)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("backstores[1].naa").hasMessageContaining("last 8 hex digits");
    }
}
