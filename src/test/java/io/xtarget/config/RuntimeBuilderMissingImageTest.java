package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.backend.FileStore;
import io.xtarget.backend.MissingStore;
import io.xtarget.backend.Store;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.OpcodeTable;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backstore with a persisted identity whose image is missing is not created again: its unit is
 * not ready ({@link MissingStore}); new backstores and {@code --create} still create images; a
 * reload brings a restored image back.
 */
class RuntimeBuilderMissingImageTest {
    static final String NAA_GONE = "60a5854bbbbbbbbbbbbbbbbbbbbbbbbb";
    static final String NAA_DEV = "60a5854ccccccccccccccccccccccccc";
    static final BiFunction<String, Store, Store> AS_IS = (name, store) -> store;

    @TempDir
    Path dir;

    static final String JSON = """
            {"backstores": [
               {"name": "gone", "type": "file", "path": "img/gone.img", "size": "4M", "naa": "%s"},
               {"name": "fresh", "type": "file", "path": "img/fresh.img", "size": "4M"},
               {"name": "dev", "type": "block", "path": "no-such-dev", "naa": "%s"}],
             "targets": [{"name": "iqn.2026-11.io.xtarget:a",
                "luns": [{"lun": 0, "backstore": "gone"}, {"lun": 1, "backstore": "fresh"}, {"lun": 2, "backstore": "dev"}]}]}
            """.formatted(NAA_GONE, NAA_DEV);

    ServerModel build(ImageCreation creation) {
        return RuntimeBuilder.build(ConfigParser.parse(JSON), dir, OpcodeTable.builder().build(), AS_IS, creation);
    }

    @Test
    void aMissingImageWithAnIdentityIsNotCreatedAndItsUnitIsNotReady() throws Exception {
        try (ServerModel m = build(ImageCreation.NEW_ONLY)) {
            LogicalUnit gone = m.unit("gone");
            assertThat(gone.store()).isInstanceOf(MissingStore.class);
            assertThat(gone.missingImage()).isEqualTo(dir.resolve("img/gone.img").toString());
            assertThat(gone.naaHex()).isEqualTo(NAA_GONE); // same identity, so an initiator knows which disk is gone
            assertThat(gone.blockCount()).isEqualTo((4L << 20) / 512);
            assertThat(Files.exists(dir.resolve("img/gone.img"))).isFalse();
            // a vanished block device: the same
            assertThat(m.unit("dev").missingImage()).isEqualTo(dir.resolve("no-such-dev").toString());
            assertThat(m.unit("dev").store().kind()).isEqualTo("block");
            // a backstore new in the config gets its image
            assertThat(m.unit("fresh").store()).isInstanceOf(FileStore.class);
            assertThat(Files.size(dir.resolve("img/fresh.img"))).isEqualTo(4L << 20);
            assertThat(m.core().target("iqn.2026-11.io.xtarget:a").lunMapFor("iqn.2000-01.x:y").mappings()).hasSize(3);
        }
    }

    @Test
    void createRecreatesOnlyWhatItNames() throws Exception {
        try (ServerModel m = build(ImageCreation.recreating(List.of("gone")))) {
            assertThat(m.unit("gone").store()).isInstanceOf(FileStore.class);
            assertThat(Files.size(dir.resolve("img/gone.img"))).isEqualTo(4L << 20);
            assertThat(m.unit("dev").missingImage()).isNotNull(); // a device cannot be created
        }
        Files.delete(dir.resolve("img/gone.img"));
        try (ServerModel m = build(ImageCreation.recreating(List.of()))) { // --create: every one
            assertThat(m.unit("gone").missingImage()).isNull();
        }
    }

    @Test
    void createNeedsASize() throws Exception {
        String json = """
                {"backstores": [{"name": "g", "type": "file", "path": "g.img", "naa": "%s"}]}""".formatted(NAA_GONE);
        try (ServerModel m = RuntimeBuilder.build(ConfigParser.parse(json), dir, OpcodeTable.builder().build(), AS_IS,
                ImageCreation.recreating(List.of()))) {
            assertThat(m.unit("g").missingImage()).isEqualTo(dir.resolve("g.img").toString());
            assertThat(m.unit("g").blockCount()).isZero();
        }
        // new and without a size: nobody has seen it, so it is a config error as before
        String fresh = """
                {"backstores": [{"name": "g", "type": "file", "path": "g.img"}]}""";
        assertThatThrownBy(() -> RuntimeBuilder.build(ConfigParser.parse(fresh), dir, OpcodeTable.builder().build()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist and no size was given");
    }

    @Test
    void aReloadBringsARestoredImageBackAndNeverCreatesOne() throws Exception {
        try (ServerModel m = build(ImageCreation.NEW_ONLY)) {
            ServerConfig running = Designators.fillMissing(ConfigParser.parse(JSON)).config();
            running = running.withBackstores(running.backstores().stream()
                    .map(b -> b.name().equals("fresh") ? b.withDesignators(m.unit("fresh").naaHex(), m.unit("fresh").serial()) : b)
                    .toList());
            Map<String, LogicalUnit> open = new LinkedHashMap<>();
            m.units().forEach(u -> open.put(u.name(), u));

            RuntimeBuilder.Reloaded still = RuntimeBuilder.reload(running, running, open, dir, AS_IS);
            assertThat(still.restored()).isEmpty();
            assertThat(Files.exists(dir.resolve("img/gone.img"))).isFalse();

            try (FileStore f = FileStore.open(dir.resolve("img/gone.img"), 512, 4L << 20)) {
                f.write(4096, ByteBuffer.wrap(new byte[] {7}), true);
            }
            RuntimeBuilder.Reloaded back = RuntimeBuilder.reload(running, running, open, dir, AS_IS);
            LogicalUnit gone = m.unit("gone");
            assertThat(back.restored()).containsOnlyKeys(gone);
            back.restored().forEach(LogicalUnit::restore);
            assertThat(gone.missingImage()).isNull();
            ByteBuffer b = ByteBuffer.allocate(1);
            gone.readBytes(4096, b);
            assertThat(b.get(0)).isEqualTo((byte) 7);
        }
    }

    @Test
    void aReloadAddsAMissingBackstoreWithAnIdentityAsNotReady() throws Exception {
        String before = """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M", "naa": "%s"}]}""".formatted(NAA_DEV);
        String after = """
                {"backstores": [{"name": "r", "type": "ram", "size": "1M", "naa": "%s"},
                                {"name": "moved", "type": "file", "path": "moved.img", "size": "1M", "naa": "%s"},
                                {"name": "added", "type": "file", "path": "added.img", "size": "1M"}]}"""
                .formatted(NAA_DEV, NAA_GONE);
        try (ServerModel m = RuntimeBuilder.build(ConfigParser.parse(before), dir, OpcodeTable.builder().build())) {
            ServerConfig running = Designators.fillMissing(ConfigParser.parse(before)).config();
            RuntimeBuilder.Reloaded r = RuntimeBuilder.reload(running, ConfigParser.parse(after),
                    Map.of("r", m.unit("r")), dir, AS_IS);
            assertThat(r.opened()).extracting(LogicalUnit::name).containsExactly("moved", "added");
            assertThat(r.opened().get(0).missingImage()).isEqualTo(dir.resolve("moved.img").toString());
            assertThat(r.opened().get(1).missingImage()).isNull();
            assertThat(Files.exists(dir.resolve("moved.img"))).isFalse();
            assertThat(Files.exists(dir.resolve("added.img"))).isTrue();
            for (LogicalUnit u : r.opened()) {
                u.store().close();
            }
        }
    }

    @Test
    void creationPolicy() {
        ImageCreation none = ImageCreation.recreating(null);
        assertThat(none).isEqualTo(ImageCreation.NEW_ONLY);
        assertThat(none.mayCreate("x")).isFalse();
        ImageCreation fresh = none.withNew(List.of("x"));
        assertThat(fresh.isNew("x")).isTrue();
        assertThat(fresh.mayCreate("x")).isTrue();
        assertThat(ImageCreation.recreating(List.of("*")).mayCreate("y")).isTrue();
        ImageCreation named = ImageCreation.recreating(List.of("a", "b"));
        assertThat(named.mayCreate("a")).isTrue();
        assertThat(named.isNew("a")).isFalse();
        assertThat(named.mayCreate("c")).isFalse();
        assertThat(named.unknownIn(ConfigParser.parse(JSON))).containsExactly("a", "b");
    }
}
