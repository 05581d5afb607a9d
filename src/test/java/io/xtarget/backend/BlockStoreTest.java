package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the contract on real loop devices; skipped (not failed) where losetup is not usable. */
class BlockStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    private final List<String> loops = new ArrayList<>();
    private int images;

    @Override
    protected Store create(long size) throws Exception {
        Path image = dir.resolve("loop" + images++ + ".img");
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            raf.setLength(size);
        }
        String dev = losetup(image);
        return BlockStore.open(Path.of(dev), BS);
    }

    @Override
    protected boolean hasCopyFastPath() {
        return true;
    }

    private String losetup(Path image) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root for losetup");
        Process p;
        try {
            p = new ProcessBuilder("losetup", "-f", "--show", image.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            assumeTrue(false, "losetup not runnable: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assumeTrue(p.waitFor() == 0 && out.startsWith("/dev/"), "losetup failed: " + out);
        loops.add(out);
        return out;
    }

    @AfterEach
    void detach() throws Exception {
        closeStores(); // close before detaching; the base class closing again is harmless
        for (String dev : loops) {
            new ProcessBuilder("losetup", "-d", dev).inheritIO().start().waitFor();
        }
    }

    @Test
    void sizeComesFromTheDevice() throws Exception {
        try (Store s = create(5L << 20)) {
            assertThat(s.sizeBytes()).isEqualTo(5L << 20);
            assertThat(s.kind()).isEqualTo("block");
            try (FileChannel ch = FileChannel.open(((BlockStore) s).device(), StandardOpenOption.READ)) {
                assertThat(BlockStore.deviceSize(((BlockStore) s).device(), ch)).isEqualTo(5L << 20);
            }
        }
    }

    @Test
    void regularFilesAndMissingDevicesAreRejected() throws Exception {
        Path f = dir.resolve("plain.img");
        java.nio.file.Files.write(f, new byte[4096]);
        assertThatThrownBy(() -> BlockStore.open(f, 512)).hasMessageContaining("is not a block device");
        assertThatThrownBy(() -> BlockStore.open(dir.resolve("nope"), 512)).hasMessageContaining("does not exist");
    }
}
