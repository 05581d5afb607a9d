package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    private int files;

    @Override
    protected Store create(long size) throws Exception {
        return FileStore.open(dir.resolve("disk" + files++ + ".img"), BS, size);
    }

    @Override
    protected boolean hasCopyFastPath() {
        return true;
    }

    @Test
    void missingFileIsCreatedAtTheRequestedSizeInMissingDirectories() throws Exception {
        Path p = dir.resolve("sub/dir/new.img");
        try (FileStore s = FileStore.open(p, 512, 1L << 30)) {
            assertThat(s.sizeBytes()).isEqualTo(1L << 30);
            assertThat(s.kind()).isEqualTo("file");
        }
        assertThat(Files.size(p)).isEqualTo(1L << 30);
    }

    @Test
    void existingFileKeepsItsSizeRoundedDownToBlocks() throws Exception {
        Path p = dir.resolve("old.img");
        Files.write(p, new byte[3 * 4096 + 100]);
        try (FileStore s = FileStore.open(p, 4096, 0)) {
            assertThat(s.sizeBytes()).isEqualTo(3 * 4096);
        }
        try (FileStore s = FileStore.open(p, 4096, 2 * 4096)) {
            assertThat(s.sizeBytes()).isEqualTo(3 * 4096);
        }
        assertThat(Files.size(p)).isEqualTo(3 * 4096 + 100);
    }

    @Test
    void existingFileSmallerThanRequestedIsAnError() throws Exception {
        Path p = dir.resolve("small.img");
        Files.write(p, new byte[4096]);
        assertThatThrownBy(() -> FileStore.open(p, 512, 8192))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("holds 4096 bytes, less than the requested 8192");
    }

    @Test
    void badArguments() throws Exception {
        assertThatThrownBy(() -> FileStore.open(dir.resolve("x.img"), 512, 0))
                .hasMessageContaining("does not exist and no size was given");
        assertThatThrownBy(() -> FileStore.open(dir.resolve("x.img"), 1024, 4096))
                .hasMessage("block size must be 512 or 4096, not 1024");
        assertThatThrownBy(() -> FileStore.open(dir.resolve("x.img"), 4096, 1000))
                .hasMessage("size 1000 is not a multiple of the block size 4096");
        assertThatThrownBy(() -> FileStore.open(dir, 512, 4096)).hasMessageContaining("is not a regular file");
        Path tiny = dir.resolve("tiny.img");
        Files.write(tiny, new byte[100]);
        assertThatThrownBy(() -> FileStore.open(tiny, 512, 0)).hasMessageContaining("smaller than one 512-byte block");
    }

    @Test
    void dataIsInTheFileAtTheSameOffsets() throws Exception {
        Path p = dir.resolve("d.img");
        try (FileStore s = FileStore.open(p, 512, 8192)) {
            s.write(1024, ByteBuffer.wrap(new byte[] {1, 2, 3}), true);
        }
        byte[] raw = Files.readAllBytes(p);
        assertThat(raw).hasSize(8192);
        assertThat(raw[1024]).isEqualTo((byte) 1);
        assertThat(raw[1026]).isEqualTo((byte) 3);
    }

    @Test
    void copyToLargerThanOneChunkReturnsPartialCounts() throws Exception {
        long size = ChannelStore.MAX_COPY_CHUNK + (1 << 20);
        try (Store a = FileStore.open(dir.resolve("a.img"), 4096, size);
                Store b = FileStore.open(dir.resolve("b.img"), 4096, size)) {
            a.write(size - 4096, ByteBuffer.wrap(pattern(1, 4096)), false);
            long first = a.copyTo(0, b, 0, size);
            assertThat(first).isPositive().isLessThanOrEqualTo(ChannelStore.MAX_COPY_CHUNK);
            assertThat(copyFully(a, first, b, first, size - first)).isEqualTo(size - first);
            assertThat(read(b, size - 4096, 4096)).isEqualTo(pattern(1, 4096));
        }
    }

    @Test
    void ramToFileWritesStraightFromMemoryAndUnwrittenChunksAsZeros() throws Exception {
        long size = 3L << 20;
        try (Store f = FileStore.open(dir.resolve("a.img"), 512, size); RamStore r = new RamStore(512, size)) {
            byte[] data = pattern(3, (int) size);
            write(f, 0, pattern(4, (int) size)); // old file contents, overwritten below
            r.write(0, ByteBuffer.wrap(data, 0, 1 << 20), false);
            r.write(2L << 20, ByteBuffer.wrap(data, 2 << 20, 1 << 20), false); // chunk 1 stays unwritten
            long srcAt = 1000; // unaligned, spans all three chunks
            long dstAt = 777;
            long len = size - 2000;
            assertThat(copyFully(r, srcAt, f, dstAt, len)).isEqualTo(len);
            byte[] expected = java.util.Arrays.copyOfRange(data, (int) srcAt, (int) (srcAt + len));
            java.util.Arrays.fill(expected, (int) ((1 << 20) - srcAt), (int) ((2 << 20) - srcAt), (byte) 0);
            assertThat(read(f, dstAt, (int) len)).isEqualTo(expected);
            assertThat(read(f, 0, (int) dstAt)).isEqualTo(java.util.Arrays.copyOf(pattern(4, (int) size), (int) dstAt));
            assertThat(r.allocatedBytes()).isEqualTo(2L << 20);
        }
    }

    @Test
    void fileToRamReadsStraightIntoMemory() throws Exception {
        long size = 3L << 20;
        try (Store f = FileStore.open(dir.resolve("a.img"), 512, size); RamStore r = new RamStore(512, size)) {
            byte[] data = pattern(5, (int) size);
            write(f, 0, data);
            long srcAt = 4097;
            long dstAt = (1L << 20) - 3; // starts 3 bytes before a chunk boundary
            long len = (2L << 20) - 10;
            assertThat(copyFully(f, srcAt, r, dstAt, len)).isEqualTo(len);
            assertThat(read(r, dstAt, (int) len))
                    .isEqualTo(java.util.Arrays.copyOfRange(data, (int) srcAt, (int) (srcAt + len)));
            assertThat(read(r, 0, (int) dstAt)).containsOnly(0);
        }
    }

    @Test
    void fileRamCopiesCheckBothBounds() throws Exception {
        try (Store f = FileStore.open(dir.resolve("a.img"), 4096, 8192); Store r = new RamStore(4096, 8192)) {
            assertThatThrownBy(() -> f.copyTo(4096, r, 0, 8192)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> f.copyTo(0, r, 4096, 8192)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> r.copyTo(4096, f, 0, 8192)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> r.copyTo(0, f, 4096, 8192)).isInstanceOf(IOException.class);
        }
    }

    @Test
    void noFastPathToStoresOfOtherKinds() throws Exception {
        try (Store f = FileStore.open(dir.resolve("a.img"), 4096, 8192);
                Store h = new io.xtarget.testing.HeapStore(4096, 2)) {
            assertThat(f.copyTo(0, h, 0, 4096)).isEqualTo(-1);
        }
    }
}
