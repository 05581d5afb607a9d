package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.scsi.CopyAccessPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** withTarget, withBackstore, withAcl: one element in place of the one of its name, or appended. */
class NamedElementsTest {
    static TargetConfig target(String name, String portal) {
        return new TargetConfig(name, List.of(portal), CopyAccessPolicy.INITIATOR, List.of(), List.of());
    }

    static BackstoreConfig ram(String name, long size) {
        return new BackstoreConfig(name, BackstoreType.RAM, null, size, 512, null, null);
    }

    @Test
    void replacesInPlaceOrAppends() {
        ServerConfig c = new ServerConfig(List.of(ram("a", 1L << 20), ram("b", 1L << 20)),
                List.of(target("iqn.2026-11.io.x:a", "127.0.0.1:3260"), target("iqn.2026-11.io.x:b", "127.0.0.1:3260")));

        ServerConfig replaced = c.withTarget(target("iqn.2026-11.io.x:a", "127.0.0.1:3261")).withBackstore(ram("a", 2L << 20));
        assertThat(replaced.targets()).extracting(TargetConfig::name).containsExactly("iqn.2026-11.io.x:a", "iqn.2026-11.io.x:b");
        assertThat(replaced.target("iqn.2026-11.io.x:a").portals()).containsExactly("127.0.0.1:3261");
        assertThat(replaced.backstores()).extracting(BackstoreConfig::name).containsExactly("a", "b");
        assertThat(replaced.backstore("a").size()).isEqualTo(2L << 20);

        ServerConfig added = c.withTarget(target("iqn.2026-11.io.x:c", "127.0.0.1:3260")).withBackstore(ram("c", 1L << 20));
        assertThat(added.targets()).extracting(TargetConfig::name)
                .containsExactly("iqn.2026-11.io.x:a", "iqn.2026-11.io.x:b", "iqn.2026-11.io.x:c");
        assertThat(added.backstores()).extracting(BackstoreConfig::name).containsExactly("a", "b", "c");
        assertThat(c.targets()).hasSize(2); // immutable: the original is unchanged
    }

    @Test
    void aclsByInitiator() {
        TargetConfig t = target("iqn.2026-11.io.x:a", "127.0.0.1:3260")
                .withAcl(new AclConfig("iqn.1994-05.com.example:h1", null))
                .withAcl(new AclConfig("iqn.1994-05.com.example:h2", null));
        TargetConfig changed = t.withAcl(new AclConfig("iqn.1994-05.com.example:h1", null, null, Boolean.FALSE));
        assertThat(changed.acls()).extracting(AclConfig::initiator)
                .containsExactly("iqn.1994-05.com.example:h1", "iqn.1994-05.com.example:h2");
        assertThat(changed.acls().get(0).resets()).isFalse();
        assertThat(changed.acls().get(1).resets()).isNull();
    }
}
