package io.xtarget.config;

import io.xtarget.scsi.CopyAccessPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The configuration of {@code xtarget serve} without {@code --config}: target
 * iqn.2026-11.io.xtarget:demo on 127.0.0.1:3260, open to any initiator without authentication,
 * LUN 0 a 1 GiB RAM disk, LUN 1 a 1 GiB sparse file disk (data/lun1.img). Persisted to
 * data/xtarget.json on first use, so the generated NAAs stay the same on later runs.
 */
public final class DefaultConfig {
    public static final String TARGET = "iqn.2026-11.io.xtarget:demo";
    public static final String PORTAL = "127.0.0.1:3260";
    public static final Path DATA_DIR = Path.of("data");
    public static final String FILE_NAME = "xtarget.json";

    private DefaultConfig() {}

    /** The default config without designators. File paths are relative to the config's directory. */
    public static ServerConfig template() {
        return new ServerConfig(
                List.of(new BackstoreConfig("ram0", BackstoreType.RAM, null, 1L << 30, 512, null, null),
                        new BackstoreConfig("file1", BackstoreType.FILE, "lun1.img", 1L << 30, 512, null, null)),
                List.of(new TargetConfig(TARGET, List.of(PORTAL), CopyAccessPolicy.INITIATOR,
                        List.of(new LunConfig(0, "ram0", false), new LunConfig(1, "file1", false)), List.of())));
    }

    /** The path of the persisted default config under {@code dataDir}. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /** Loads {@code dataDir/xtarget.json}, writing the default there first when it is missing. */
    public static ServerConfig loadOrCreate(Path dataDir) {
        return readOrCreate(dataDir).config();
    }

    /** As {@link #loadOrCreate}, telling which backstores are new (all of them on first use). */
    public static ConfigStore.Loaded readOrCreate(Path dataDir) {
        Path file = file(dataDir);
        if (Files.exists(file)) {
            return ConfigStore.read(file);
        }
        ServerConfig saved = ConfigStore.save(file, template());
        return new ConfigStore.Loaded(saved,
                saved.backstores().stream().map(BackstoreConfig::name).collect(java.util.stream.Collectors.toSet()));
    }
}
