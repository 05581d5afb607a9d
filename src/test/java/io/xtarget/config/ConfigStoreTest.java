package io.xtarget.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {
    @TempDir
    Path dir;

    @Test
    void missingDesignatorsAreFilledAndPersistedOnce() throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, """
                {"backstores": [{"name": "a", "type": "ram", "size": "1M"},
                                {"name": "b", "type": "ram", "size": "1M", "serial": "keep-me"}]}""");
        ServerConfig first = ConfigStore.load(f);
        BackstoreConfig a = first.backstores().get(0);
        BackstoreConfig b = first.backstores().get(1);
        assertThat(a.naa()).matches("60a5854[0-9a-f]{25}");
        assertThat(a.serial()).isEqualTo(a.naa().substring(7));
        assertThat(b.naa()).isNotEqualTo(a.naa());
        assertThat(b.serial()).isEqualTo("keep-me");
        assertThat(Files.readString(f)).contains(a.naa(), b.naa());
        // a complete file is not rewritten, and the identities stay
        Files.setLastModifiedTime(f, FileTime.fromMillis(0));
        assertThat(ConfigStore.load(f)).isEqualTo(first);
        assertThat(Files.getLastModifiedTime(f).toMillis()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("x.json"); // no temp files left
        }
    }

    @Test
    void errorsNameTheFile() throws Exception {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, "{\"targets\": [{\"name\": \"x\"}]}");
        assertThatThrownBy(() -> ConfigStore.load(f)).isInstanceOf(ConfigException.class).hasMessage(
                f + ": targets[0].name: \"x\" is not an iSCSI name (iqn.YYYY-MM.domain[:id], eui.<16 hex>, naa.<16 or 32 hex>)");
        assertThatThrownBy(() -> ConfigStore.load(dir.resolve("none.json"))).hasMessage(dir.resolve("none.json") + ": no such file");
        assertThat(ConfigStore.loadOrEmpty(dir.resolve("none.json"))).isEqualTo(ServerConfig.EMPTY);
    }

    @Test
    void saveRefusesInvalidConfigsAndKeepsTheOldFile() throws Exception {
        Path f = dir.resolve("sub/c.json");
        ServerConfig ok = new ServerConfig(List.of(new BackstoreConfig("r", BackstoreType.RAM, null, 4096L, 512, null, null)), List.of());
        ServerConfig saved = ConfigStore.save(f, ok);
        assertThat(saved.backstores().getFirst().naa()).isNotNull();
        String before = Files.readString(f);
        ServerConfig bad = ok.withBackstores(List.of(new BackstoreConfig("r", BackstoreType.RAM, null, 1000L, 512, null, null)));
        assertThatThrownBy(() -> ConfigStore.save(f, bad)).hasMessage("backstores[0].size: 1000 is not a positive multiple of the block size 512");
        assertThat(Files.readString(f)).isEqualTo(before);
        assertThat(ConfigStore.load(f)).isEqualTo(saved);
    }

    @Test
    void generatedNaaLayout() {
        String naa = Designators.generateNaa(new Random(1));
        assertThat(naa).hasSize(32).startsWith("60a5854");
        byte[] b = Designators.naaBytes(naa);
        assertThat(b[0] & 0xF0).isEqualTo(0x60); // NAA 6
        int companyId = ((b[0] & 0x0F) << 20) | ((b[1] & 0xFF) << 12) | ((b[2] & 0xFF) << 4) | ((b[3] & 0xF0) >> 4);
        assertThat(companyId).isEqualTo(0x0A5854);
        assertThat(Designators.isValidNaa(naa)).isTrue();
    }

    @Test
    void generatedNaasAvoidTakenOnes() {
        // a generator that repeats itself: the second backstore must not get the first's NAA
        Random r1 = new Random(7);
        String firstNaa = Designators.generateNaa(r1);
        ServerConfig c = new ServerConfig(List.of(
                new BackstoreConfig("a", BackstoreType.RAM, null, 4096L, 512, firstNaa, null),
                new BackstoreConfig("b", BackstoreType.RAM, null, 4096L, 512, null, null)), List.of());
        Designators.Filled f = Designators.fillMissing(c, new Random(7));
        assertThat(f.changed()).isTrue();
        assertThat(f.config().backstores().get(1).naa()).isNotEqualTo(firstNaa);
        assertThat(f.config().backstores().get(0).serial()).isEqualTo(firstNaa.substring(7));
    }

    @Test
    void defaultConfigIsPersistedAndReused() throws Exception {
        Path data = dir.resolve("data");
        ServerConfig first = DefaultConfig.loadOrCreate(data);
        assertThat(Files.exists(data.resolve("xtarget.json"))).isTrue();
        TargetConfig t = first.targets().getFirst();
        assertThat(t.name()).isEqualTo("iqn.2026-11.io.xtarget:demo");
        assertThat(t.portals()).containsExactly("127.0.0.1:3260");
        assertThat(t.acls()).isEmpty();
        assertThat(t.luns()).containsExactly(new LunConfig(0, "ram0", false), new LunConfig(1, "file1", false));
        assertThat(first.backstore("ram0").size()).isEqualTo(1L << 30);
        assertThat(first.backstore("file1").path()).isEqualTo("lun1.img");
        assertThat(first.backstores()).allSatisfy(b -> assertThat(b.naa()).isNotNull());
        assertThat(DefaultConfig.loadOrCreate(data)).isEqualTo(first);
    }

    @Test
    void readTellsWhichBackstoresGotTheirIdentityNow() throws Exception {
        Path f = dir.resolve("x.json");
        Files.writeString(f, """
                {"backstores": [{"name": "old", "type": "ram", "size": "1M", "naa": "60a5854aaaaaaaaaaaaaaaaaaaaaaaaa"},
                                {"name": "added", "type": "ram", "size": "1M"}]}""");
        ConfigStore.Loaded first = ConfigStore.read(f);
        assertThat(first.newBackstores()).containsExactly("added");
        assertThat(first.config().backstore("added").naa()).isNotNull();
        // written back: on the next read nothing is new any more
        assertThat(ConfigStore.read(f).newBackstores()).isEmpty();
        assertThat(ConfigStore.read(f).config()).isEqualTo(first.config());
    }

    @Test
    void theDefaultConfigIsAllNewOnFirstUseOnly() {
        Path data = dir.resolve("data");
        assertThat(DefaultConfig.readOrCreate(data).newBackstores()).containsExactlyInAnyOrder("ram0", "file1");
        assertThat(DefaultConfig.readOrCreate(data).newBackstores()).isEmpty();
    }

    /** Configs may hold CHAP secrets: a save leaves the file readable by its owner only, also over a wider one. */
    @Test
    void savedConfigsAreOwnerOnly() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{}");
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        ServerConfig c = new ServerConfig(List.of(), List.of(new TargetConfig("iqn.2026-11.io.xtarget:t",
                List.of("127.0.0.1:3260"), io.xtarget.scsi.CopyAccessPolicy.INITIATOR, List.of(), List.of(),
                new ChapConfig("u", "twelve-chars", null, null))));
        ConfigStore.save(f, c);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(f)).contains("twelve-chars");
    }

    /** The rename is made durable by an fsync of the directory; one that cannot be opened is an error on Linux. */
    @Test
    void directorySync() throws Exception {
        ConfigStore.syncDirectory(dir);
        if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("linux")) {
            assertThatThrownBy(() -> ConfigStore.syncDirectory(dir.resolve("gone")))
                    .isInstanceOf(java.nio.file.NoSuchFileException.class);
        }
    }
}
