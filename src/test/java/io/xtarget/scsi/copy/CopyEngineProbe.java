package io.xtarget.scsi.copy;

import io.xtarget.backend.FileStore;
import io.xtarget.backend.RamStore;
import io.xtarget.backend.Store;
import io.xtarget.scsi.LogicalUnit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measurement main (not a test) behind the copy engine's chunk sizes: runs {@link CopyEngine}
 * in-process for RAM and file pairs with several chunk sizes, and copy_file_range with several
 * call sizes. Used by bench/copy-offload.sh's RESULTS notes:
 *
 * <pre>java -cp target/test-classes:target/xtarget.jar io.xtarget.scsi.copy.CopyEngineProbe DIR [MiB] [reps] [chunk KiB,...]</pre>
 */
public final class CopyEngineProbe {
    private CopyEngineProbe() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long size = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path fa = dir.resolve("probe-a.img");
        Path fb = dir.resolve("probe-b.img");
        try (RamStore ra = new RamStore(512, size); RamStore rb = new RamStore(512, size);
                FileStore a = FileStore.open(fa, 512, size); FileStore b = FileStore.open(fb, 512, size)) {
            fill(ra, size);
            fill(rb, size);
            fill(a, size);
            fill(b, size);
            LogicalUnit lra = lu("ra", ra, 1);
            LogicalUnit lrb = lu("rb", rb, 2);
            LogicalUnit la = lu("fa", a, 3);
            LogicalUnit lb = lu("fb", b, 4);
            System.out.printf(Locale.ROOT, "engine, %d MiB, median of %d (ms):%n", size >> 20, reps);
            System.out.printf(Locale.ROOT, "%-10s %10s %10s %10s%n", "chunk", "ram->ram", "ram->file", "file->ram");
            int[] chunks = args.length > 3 ? Arrays.stream(args[3].split(",")).mapToInt(k -> Integer.parseInt(k) << 10)
                    .toArray() : new int[] {256 << 10, 512 << 10, 1 << 20, 2 << 20, 4 << 20, 8 << 20};
            for (int chunk : chunks) {
                try (CopyEngine e = new CopyEngine(chunk, Math.max(CopyEngine.BUFFER_BUDGET_BYTES, 4 * chunk))) {
                    System.out.printf(Locale.ROOT, "%-10s %10.1f %10.1f %10.1f%n", (chunk >> 10) + "K",
                            time(e, lra, lrb, size, reps, b), time(e, lra, lb, size, reps, b),
                            time(e, la, lrb, size, reps, null));
                }
            }
            if (args.length > 3) {
                return;
            }
            System.out.printf(Locale.ROOT, "copy_file_range call size, %d MiB file->file (ms):%n", size >> 20);
            for (long call : new long[] {4L << 20, 16L << 20, 64L << 20, 256L << 20, size}) {
                long[] ns = new long[reps];
                try (FileChannel s = FileChannel.open(fa, StandardOpenOption.READ);
                        FileChannel d = FileChannel.open(fb, StandardOpenOption.WRITE)) {
                    for (int r = 0; r < reps; r++) {
                        d.force(false);
                        long t = System.nanoTime();
                        for (long done = 0; done < size; ) {
                            d.position(done);
                            done += s.transferTo(done, Math.min(call, size - done), d);
                        }
                        ns[r] = System.nanoTime() - t;
                    }
                }
                System.out.printf(Locale.ROOT, "%-10s %10.1f%n", (call >> 20) + "M", median(ns) / 1e6);
            }
        } finally {
            Files.deleteIfExists(fa);
            Files.deleteIfExists(fb);
        }
        System.exit(0);
    }

    private static LogicalUnit lu(String name, Store s, int tail) {
        byte[] naa = new byte[16];
        naa[0] = 0x60;
        naa[15] = (byte) tail;
        return new LogicalUnit(name, s, naa, "P" + tail, false);
    }

    private static void fill(Store s, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
        for (long off = 0; off < size; off += b.capacity()) {
            b.clear();
            while (b.hasRemaining()) {
                b.putLong(off + b.position() + 1);
            }
            b.flip();
            s.write(off, b, false);
        }
        s.flush();
    }

    private static double time(CopyEngine e, LogicalUnit src, LogicalUnit dst, long size, int reps, Store sync)
            throws Exception {
        long[] ns = new long[reps + 1];
        for (int r = 0; r <= reps; r++) { // run 0 warms up
            if (sync != null) {
                sync.flush(); // dirty page cache from the previous run is not this run's cost
            }
            long t = System.nanoTime();
            e.run(new Transfer(0, src, 0, dst, 0, size), (at, n) -> {}, () -> false);
            ns[r] = System.nanoTime() - t;
        }
        return median(Arrays.copyOfRange(ns, 1, ns.length)) / 1e6;
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
