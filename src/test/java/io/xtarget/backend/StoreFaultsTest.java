package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xtarget.testing.SmallFileSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How stores report a full file system and a failed flush, real (tmpfs) and injected. */
class StoreFaultsTest {
    @TempDir
    Path dir;

    private static FaultInjectingStore ram() throws IOException {
        return new FaultInjectingStore(new RamStore(512, 1 << 20));
    }

    @Test
    void outOfSpaceIsToldApartByTheErrnoText() {
        IOException enospc = new IOException("No space left on device");
        assertThat(OutOfSpaceException.classify(enospc)).isInstanceOf(OutOfSpaceException.class).hasCause(enospc);
        assertThat(OutOfSpaceException.classify(new IOException("Disk quota exceeded")))
                .isInstanceOf(OutOfSpaceException.class);
        assertThat(OutOfSpaceException.classify(new IOException("copy failed", new IOException("No space left on device"))))
                .isInstanceOf(OutOfSpaceException.class);
        IOException eio = new IOException("Input/output error");
        assertThat(OutOfSpaceException.classify(eio)).isSameAs(eio);
        assertThat(OutOfSpaceException.classify(new IOException())).isNotInstanceOf(OutOfSpaceException.class);
    }

    @Test
    void injectedFlushFailuresFailFlushesAndTheDurabilityOfFuaWrites() throws Exception {
        try (FaultInjectingStore s = ram()) {
            s.failFlushes(2);
            assertThatThrownBy(s::flush).isInstanceOf(IOException.class).hasMessageContaining("fdatasync");
            ByteBuffer data = ByteBuffer.wrap(new byte[512]).put(0, (byte) 9);
            assertThatThrownBy(() -> s.write(0, data, true)).isInstanceOf(FlushFailedException.class);
            ByteBuffer back = ByteBuffer.allocate(512);
            s.read(0, back);
            assertThat(back.get(0)).as("the data was written, only not made durable").isEqualTo((byte) 9);
            s.flush(); // the injected failures are used up
            s.write(0, ByteBuffer.allocate(512), true);
        }
    }

    @Test
    void injectedOutOfSpaceFailsWritesFromTheOffset() throws Exception {
        try (FaultInjectingStore s = ram()) {
            s.noSpaceFrom(4096);
            s.write(0, ByteBuffer.allocate(4096), false);
            assertThatThrownBy(() -> s.write(3584, ByteBuffer.allocate(1024), false))
                    .isInstanceOf(OutOfSpaceException.class);
            s.read(8192, ByteBuffer.allocate(512)); // reads unaffected
            s.clear();
            s.write(8192, ByteBuffer.allocate(512), false);
        }
    }

    @Test
    void injectedSpaceFiguresReplaceTheStoresOwn() throws Exception {
        try (FaultInjectingStore s = ram()) {
            assertThat(s.spaceUsage()).as("RAM has no file system").isNull();
            s.reportSpace(new SpaceUsage(1000, 50, 10));
            assertThat(s.spaceUsage().usedPercent()).isEqualTo(95);
        }
    }

    @Test
    void fileStoreReportsItsFileSystemAndWhatTheImageOccupies() throws Exception {
        try (FileStore s = FileStore.open(dir.resolve("thin.img"), 512, 64L << 20)) {
            SpaceUsage before = s.spaceUsage();
            assertThat(before.totalBytes()).isPositive();
            assertThat(before.availableBytes()).isBetween(0L, before.totalBytes());
            s.write(0, ByteBuffer.wrap(new byte[1 << 20]), true);
            SpaceUsage after = s.spaceUsage();
            if (before.allocatedBytes() >= 0) { // statx available (Linux)
                assertThat(after.allocatedBytes()).isGreaterThanOrEqualTo(before.allocatedBytes() + (1 << 20));
            }
        }
    }

    @Test
    void fileStoreOnAFullFileSystemThrowsOutOfSpace() throws Exception {
        try (SmallFileSystem fs = SmallFileSystem.mountOrSkip(dir.resolve("small"), 4L << 20);
                FileStore s = FileStore.open(fs.dir().resolve("thin.img"), 512, 16L << 20)) {
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            long off = 0;
            IOException failure = null;
            while (off < s.sizeBytes() && failure == null) {
                try {
                    s.write(off, chunk.clear(), false);
                    off += 1 << 20;
                } catch (IOException e) {
                    failure = e;
                }
            }
            assertThat(failure).as("a 16 MiB thin image cannot fill a 4 MiB file system").isInstanceOf(OutOfSpaceException.class);
            assertThat(s.spaceUsage().availableBytes()).isLessThan(1 << 20);
            s.unmap(0, 2L << 20); // punching holes gives space back
            s.write(off, chunk.clear(), false);
        }
    }
}
