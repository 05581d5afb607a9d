package io.xtarget.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** UNMAP on a file store gives the space back to the file system and reads back zeros. */
class HolePunchTest {

    /** Allocated bytes of a file, from stat(1): st_blocks x 512. */
    private static long allocated(Path p) throws Exception {
        Process pr = new ProcessBuilder("stat", "-c", "%b", p.toString()).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes()).trim();
        assumeTrue(pr.waitFor() == 0, "stat unavailable");
        return Long.parseLong(out) * 512;
    }

    @TempDir
    Path dir;

    @Test
    void unmapPunchesAHoleThatReadsAsZeros() throws Exception {
        Path img = dir.resolve("img");
        try (FileStore s = FileStore.open(img, 512, 16L << 20)) {
            ByteBuffer ones = ByteBuffer.allocate(8 << 20);
            while (ones.hasRemaining()) {
                ones.put((byte) 1);
            }
            s.write(0, ones.flip(), true);
            long before = allocated(img);
            assumeTrue(before >= (8 << 20), "file system does not report allocation");
            s.unmap(1 << 20, 4 << 20);
            s.flush();
            long after = allocated(img);
            assertThat(after).isLessThanOrEqualTo(before - (4 << 20));
            ByteBuffer back = ByteBuffer.allocate(6 << 20);
            s.read(0, back);
            byte[] b = back.array();
            assertThat(b[(1 << 20) - 1]).isEqualTo((byte) 1);
            for (int i = 1 << 20; i < 5 << 20; i += 4096) {
                assertThat(b[i]).isZero();
            }
            assertThat(b[5 << 20]).isEqualTo((byte) 1);
        }
    }
}
