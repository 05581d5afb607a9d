package io.xtarget.bench;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copy offload benchmark (not a test): for each pair of LUs of a running xtarget, measures in one
 * run (a) one EXTENDED COPY of the whole size, timed from send to GOOD, (b) a host-side copy (READ
 * + WRITE over iSCSI, pipelined), and (d) the backend's own limit measured in this process (a
 * memory copy, or the filesystem's copy_file_range via FileChannel.transferTo). Run by
 * bench/copy-offload.sh, which starts the server and prepares the backends.
 *
 * <pre>
 * CopyOffloadBench --portal HOST:PORT --target IQN --size BYTES [--reps N] [--host-reps N] [--io BYTES] [--qd N]
 *                  --pair NAME,SRC_LUN,DST_LUN,BASELINE ...
 *                  (NAME,SRC_LUN,DST_LUN,BASELINE,fresh: rewrite the destination before every timed copy)
 * BASELINE: mem | fs:DIR | write:DIR | read:DIR | dev:DEVA:DEVB | none
 * </pre>
 */
public final class CopyOffloadBench {
    private static final double MIB = 1024.0 * 1024.0;

    /** @param fresh rewrite the destination before every timed copy (reflink filesystems share extents after one copy) */
    private record Pair(String name, int src, int dst, String baseline, boolean fresh) {}

    private record Row(Pair pair, long[] offloadNs, long[] hostNs, long[] baseNs, String baseLabel) {}

    private String host = "127.0.0.1";
    private int port;
    private String target;
    private long size = 1L << 30;
    private int reps = 5;
    private int hostReps = 3;
    private int io = 1 << 20;
    private int qd = 8;
    private final List<Pair> pairs = new ArrayList<>();
    private IscsiSession session;
    private int blockSize;
    private long maxSegment;

    public static void main(String[] args) throws Exception {
        CopyOffloadBench b = new CopyOffloadBench();
        b.parse(args);
        b.run();
        System.exit(0); // the session's threads are not daemons
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--portal" -> {
                    host = v.substring(0, v.lastIndexOf(':'));
                    port = Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
                }
                case "--target" -> target = v;
                case "--size" -> size = Long.parseLong(v);
                case "--reps" -> reps = Integer.parseInt(v);
                case "--host-reps" -> hostReps = Integer.parseInt(v);
                case "--io" -> io = Integer.parseInt(v);
                case "--qd" -> qd = Integer.parseInt(v);
                case "--pair" -> {
                    String[] p = v.split(",", 5);
                    pairs.add(new Pair(p[0], Integer.parseInt(p[1]), Integer.parseInt(p[2]), p[3],
                            p.length > 4 && p[4].equals("fresh")));
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
            i++;
        }
        if (target == null || port == 0 || pairs.isEmpty()) {
            throw new IllegalArgumentException("need --portal, --target and at least one --pair");
        }
    }

    private void run() throws Exception {
        InitiatorOptions opts = InitiatorOptions.defaults().withInitiatorName("iqn.2026-11.io.xtarget:bench")
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(600));
        session = IscsiSession.open(host, port, target, opts);
        Set<Integer> luns = new HashSet<>();
        pairs.forEach(p -> {
            luns.add(p.src);
            luns.add(p.dst);
        });
        for (int lun : luns) {
            clearUnitAttention(lun);
            long[] cap = readCapacity(lun);
            if (cap[0] < size) {
                throw new IOException("LUN " + lun + " holds " + cap[0] + " bytes, less than " + size);
            }
            if (blockSize != 0 && blockSize != cap[1]) {
                throw new IOException("LUNs with different block sizes");
            }
            blockSize = (int) cap[1];
        }
        maxSegment = maxSegmentLength(pairs.get(0).src);
        log("size %d bytes, block %d, max segment length %d bytes, %d offload rep(s), %d host rep(s),"
                + " host copy %d KiB I/Os at QD%d", size, blockSize, maxSegment, reps, hostReps, io >> 10, qd);

        Set<Integer> filled = new HashSet<>();
        List<Row> rows = new ArrayList<>();
        for (Pair p : pairs) {
            if (filled.add(p.src)) {
                long t = System.nanoTime();
                fill(p.src, 0);
                log("filled LUN %d in %.0f ms", p.src, (System.nanoTime() - t) / 1e6);
            }
            long[] host = new long[hostReps];
            for (int r = 0; r < hostReps; r++) {
                host[r] = hostCopy(p);
                log("%s host copy %d: %.1f ms (%.0f MiB/s)", p.name, r, host[r] / 1e6, mibs(host[r]));
            }
            long warm = offload(p); // first EXTENDED COPY of the pair: not counted
            log("%s offload warm-up: %.1f ms (%.0f MiB/s)", p.name, warm / 1e6, mibs(warm));
            verify(p);
            long[] off = new long[reps];
            long[] base = null;
            String label = "-";
            // Offload and backend-limit runs alternate so both see the same background load.
            try (Baseline b = baseline(p.baseline)) {
                if (b != null) {
                    base = new long[reps];
                    label = b.label();
                }
                for (int r = 0; r < reps; r++) {
                    if (p.fresh) {
                        fill(p.dst, r + 1); // new extents: the copy cannot find them already shared
                    }
                    off[r] = offload(p);
                    log("%s offload %d: %.1f ms (%.0f MiB/s)", p.name, r, off[r] / 1e6, mibs(off[r]));
                    if (b != null) {
                        if (p.fresh) {
                            b.refresh(r + 1);
                        }
                        base[r] = b.once();
                        log("%s %s %d: %.1f ms (%.0f MiB/s)", p.name, label, r, base[r] / 1e6, mibs(base[r]));
                    }
                }
            }
            rows.add(new Row(p, off, host, base, label));
        }
        session.close();
        print(rows);
    }

    // ------------------------------------------------------------------ iSCSI side

    private CommandResult exec(int lun, byte[] cdb, ByteBuffer out, int in) throws IOException {
        CommandResult r = session.execute(lun, cdb, out, in);
        if (!r.good()) {
            throw new IOException(String.format("LUN %d opcode 0x%02x failed: %s", lun, cdb[0] & 0xFF, r));
        }
        return r;
    }

    /** A new initiator port first sees POWER ON / RESET on each LU (SAM-5 unit attention). */
    private void clearUnitAttention(int lun) throws IOException {
        for (int i = 0; i < 3; i++) {
            if (session.execute(lun, new byte[6], null, 0).good()) {
                return;
            }
        }
        throw new IOException("LUN " + lun + " not ready");
    }

    /** READ CAPACITY(16): {bytes, block size}. */
    private long[] readCapacity(int lun) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x9E;
        cdb[1] = 0x10;
        cdb[13] = 32;
        ByteBuffer d = exec(lun, cdb, null, 32).data();
        long lastLba = d.getLong(0);
        int bs = d.getInt(8);
        return new long[] {(lastLba + 1) * bs, bs};
    }

    /** RECEIVE COPY RESULTS(OPERATING PARAMETERS) (SPC-4 6.20.4): MAXIMUM SEGMENT LENGTH, bytes 16..19. */
    private long maxSegmentLength(int lun) throws IOException {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x84;
        cdb[1] = 0x03;
        cdb[13] = (byte) 255;
        ByteBuffer d = exec(lun, cdb, null, 255).data();
        return Integer.toUnsignedLong(d.getInt(16));
    }

    /** The LU's NAA designator from the Device Identification VPD page (SPC-4 7.8.6). */
    private byte[] naa(int lun) throws IOException {
        byte[] cdb = {0x12, 0x01, (byte) 0x83, 0x01, 0x00, 0x00};
        ByteBuffer d = exec(lun, cdb, null, 256).data();
        int end = Math.min(d.limit(), 4 + (d.getShort(2) & 0xFFFF));
        for (int off = 4; off + 4 <= end; ) {
            int type = d.get(off + 1) & 0x0F;
            int assoc = (d.get(off + 1) >> 4) & 0x03;
            int len = d.get(off + 3) & 0xFF;
            if (type == 3 && assoc == 0 && off + 4 + len <= end) {
                byte[] n = new byte[len];
                d.get(off + 4, n);
                return n;
            }
            off += 4 + len;
        }
        throw new IOException("LUN " + lun + " has no NAA designator");
    }

    private static byte[] rw16(int op, long lba, int blocks) {
        byte[] c = new byte[16];
        c[0] = (byte) op;
        ByteBuffer.wrap(c).putLong(2, lba).putInt(10, blocks);
        return c;
    }

    private void synchronizeCache(int lun) throws IOException {
        exec(lun, new byte[] {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0}, null, 0);
    }

    /** Writes a non-zero pattern over [0, size) so RAM chunks and file extents really exist. */
    private void fill(int lun, long salt) throws Exception {
        parallelChunks(i -> {
            ByteBuffer b = ByteBuffer.allocateDirect(io);
            long seed = i * 0x9E3779B97F4A7C15L + salt;
            while (b.hasRemaining()) {
                b.putLong(seed += 0x632BE59BD9B4E019L);
            }
            b.flip();
            exec(lun, rw16(0x8A, i * (io / blockSize), io / blockSize), b, 0);
        });
        synchronizeCache(lun);
    }

    /** Host-side copy: QD lanes, each a READ(16) then a WRITE(16) of the same chunk. */
    private long hostCopy(Pair p) throws Exception {
        synchronizeCache(p.src);
        synchronizeCache(p.dst);
        long t = System.nanoTime();
        parallelChunks(i -> {
            long lba = i * (io / blockSize);
            ByteBuffer data = exec(p.src, rw16(0x88, lba, io / blockSize), null, io).data();
            exec(p.dst, rw16(0x8A, lba, io / blockSize), data, 0);
        });
        return System.nanoTime() - t;
    }

    private interface ChunkJob {
        void run(long index) throws Exception;
    }

    private void parallelChunks(ChunkJob job) throws Exception {
        long chunks = size / io;
        AtomicLong next = new AtomicLong();
        try (ExecutorService ex = Executors.newFixedThreadPool(qd)) {
            List<Future<?>> lanes = new ArrayList<>();
            for (int l = 0; l < qd; l++) {
                lanes.add(ex.submit(() -> {
                    for (long i; (i = next.getAndIncrement()) < chunks; ) {
                        job.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : lanes) {
                f.get();
            }
        }
    }

    /** One EXTENDED COPY(LID1) moving [0, size) in segments of MAXIMUM SEGMENT LENGTH, timed send to GOOD. */
    private long offload(Pair p) throws IOException {
        byte[] list = parameterList(naa(p.src), naa(p.dst));
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x83;
        ByteBuffer.wrap(cdb).putInt(10, list.length);
        synchronizeCache(p.src);
        synchronizeCache(p.dst);
        long t = System.nanoTime();
        exec(p.src, cdb, ByteBuffer.wrap(list), 0);
        return System.nanoTime() - t;
    }

    /** SPC-4 6.4.3: header, two identification CSCDs (E4h, NAA), then 0Ah block-to-block segments. */
    private byte[] parameterList(byte[] srcNaa, byte[] dstNaa) throws IOException {
        long seg = Math.min(maxSegment, 0xFFFF_FFFFL) / blockSize * blockSize;
        int segments = (int) ((size + seg - 1) / seg);
        ByteBuffer b = ByteBuffer.allocate(16 + 64 + 32 * segments);
        b.put(1, (byte) (0b11 << 3)); // LIST ID USAGE 11b: no list identifier
        b.putShort(2, (short) 64);
        b.putInt(8, 32 * segments);
        cscd(b, 16, srcNaa);
        cscd(b, 48, dstNaa);
        for (int i = 0; i < segments; i++) {
            int off = 80 + 32 * i;
            long from = i * seg;
            b.put(off, (byte) 0x0A);
            b.putShort(off + 2, (short) 0x1C);
            b.putShort(off + 4, (short) 0);
            b.putShort(off + 6, (short) 1);
            b.putInt(off + 8, (int) Math.min(seg, size - from));
            b.putLong(off + 12, from / blockSize);
            b.putLong(off + 20, from / blockSize);
        }
        return b.array();
    }

    private void cscd(ByteBuffer b, int off, byte[] naa) {
        b.put(off, (byte) 0xE4);
        b.put(off + 4, (byte) 0x01); // code set binary
        b.put(off + 5, (byte) 0x03); // association LU, designator type NAA
        b.put(off + 7, (byte) naa.length);
        b.put(off + 8, naa, 0, Math.min(naa.length, 20));
        b.put(off + 29, (byte) (blockSize >>> 16));
        b.putShort(off + 30, (short) blockSize);
    }

    /** Compares 16 random 4 KiB windows (and the last one) of source and destination. */
    private void verify(Pair p) throws IOException {
        Random rnd = new Random(42);
        int n = 4096 / blockSize;
        long blocks = size / blockSize;
        for (int i = 0; i <= 16; i++) {
            long lba = i == 16 ? blocks - n : (long) (rnd.nextDouble() * (blocks - n));
            byte[] a = exec(p.src, rw16(0x88, lba, n), null, 4096).dataBytes();
            byte[] c = exec(p.dst, rw16(0x88, lba, n), null, 4096).dataBytes();
            if (!Arrays.equals(a, c)) {
                throw new IOException(p.name + ": destination differs from source at LBA " + lba);
            }
        }
    }

    // ------------------------------------------------------------------ backend limits

    /** One backend-limit measurement, prepared once and run once per rep. */
    private interface Baseline extends AutoCloseable {
        String label();

        long once() throws IOException;

        /** Rewrites the destination with new data (new extents); not timed. */
        default void refresh(long salt) throws IOException {}

        @Override
        void close() throws IOException;
    }

    private Baseline baseline(String spec) throws IOException {
        String[] s = spec.split(":");
        Arena a = Arena.ofShared();
        return switch (s[0]) {
            case "mem" -> {
                MemorySegment src = pattern(a.allocate(size, 4096));
                MemorySegment dst = pattern(a.allocate(size, 4096));
                yield baseline("MemorySegment.copy", a, null, null, () -> {
                    long t = System.nanoTime();
                    MemorySegment.copy(src, 0, dst, 0, size);
                    return System.nanoTime() - t;
                });
            }
            case "fs", "dev" -> {
                boolean fs = s[0].equals("fs");
                FileChannel src = open(fs ? Path.of(s[1], "baseline-src.img") : Path.of(s[1]));
                FileChannel dst = open(fs ? Path.of(s[1], "baseline-dst.img") : Path.of(s[2]));
                writeAll(src, pattern(a.allocate(size, 4096)));
                writeAll(dst, pattern(a.allocate(size, 4096)));
                MemorySegment scratch = a.allocate(size, 4096);
                Baseline b = baseline(fs ? "copy_file_range" : "sendfile dev->dev", a, src, dst,
                        () -> transfer(src, dst));
                yield new Baseline() {
                    @Override
                    public String label() {
                        return b.label();
                    }

                    @Override
                    public long once() throws IOException {
                        return b.once();
                    }

                    @Override
                    public void refresh(long salt) throws IOException {
                        scratch.fill((byte) salt);
                        writeAll(dst, scratch);
                    }

                    @Override
                    public void close() throws IOException {
                        b.close();
                    }
                };
            }
            case "write" -> { // memory -> file: what a RAM -> file copy must at least do
                FileChannel f = open(Path.of(s[1], "baseline-dst.img"));
                MemorySegment m = pattern(a.allocate(size, 4096));
                writeAll(f, m);
                yield baseline("pwrite mem->file", a, f, null, () -> {
                    f.force(false); // not timed, like SYNCHRONIZE CACHE before each offload
                    long t = System.nanoTime();
                    ByteBuffer b = m.asByteBuffer();
                    for (long pos = 0; b.hasRemaining(); ) {
                        pos += f.write(b, pos);
                    }
                    return System.nanoTime() - t;
                });
            }
            case "read" -> { // file -> memory
                FileChannel f = open(Path.of(s[1], "baseline-src.img"));
                MemorySegment m = pattern(a.allocate(size, 4096));
                writeAll(f, m);
                yield baseline("pread file->mem", a, f, null, () -> {
                    long t = System.nanoTime();
                    ByteBuffer b = m.asByteBuffer();
                    for (long pos = 0; b.hasRemaining(); ) {
                        pos += f.read(b, pos);
                    }
                    return System.nanoTime() - t;
                });
            }
            default -> {
                a.close();
                yield null;
            }
        };
    }

    private interface Timed {
        long run() throws IOException;
    }

    private static Baseline baseline(String label, Arena arena, FileChannel c1, FileChannel c2, Timed body) {
        return new Baseline() {
            @Override
            public String label() {
                return label;
            }

            @Override
            public long once() throws IOException {
                return body.run();
            }

            @Override
            public void close() throws IOException {
                try (arena; c1; c2) {
                    // closes all three
                }
            }
        };
    }

    private MemorySegment pattern(MemorySegment m) {
        for (long i = 0; i < m.byteSize(); i += 8) {
            m.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 0x9E3779B97F4A7C15L + 1);
        }
        return m;
    }

    private static FileChannel open(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    private void writeAll(FileChannel f, MemorySegment m) throws IOException {
        ByteBuffer b = m.asByteBuffer();
        for (long pos = 0; b.hasRemaining(); ) {
            pos += f.write(b, pos);
        }
        f.force(false);
    }

    /** FileChannel.transferTo, which JDK 25 maps to copy_file_range(2) for file to file. */
    private long transfer(FileChannel src, FileChannel dst) throws IOException {
        src.force(false);
        dst.force(false);
        long t = System.nanoTime();
        dst.position(0);
        for (long done = 0; done < size; ) {
            long n = src.transferTo(done, size - done, dst);
            if (n <= 0) {
                throw new IOException("transferTo made no progress at " + done);
            }
            done += n;
        }
        return System.nanoTime() - t;
    }

    // ------------------------------------------------------------------ report

    private double mibs(long ns) {
        return size / MIB / (ns / 1e9);
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private void print(List<Row> rows) {
        System.out.printf(Locale.ROOT, "%nsize %d MiB per copy; medians of %d offload/limit run(s) (alternating, after"
                + " 1 warm-up offload) and %d host run(s); host copy = READ+WRITE(16) %d KiB at QD%d over one session;"
                + " EXTENDED COPY in %d segment(s) of max %d MiB%n", size >> 20, reps, hostReps, io >> 10, qd, (size + maxSegment - 1) / maxSegment, maxSegment >> 20);
        System.out.printf(Locale.ROOT, "%-11s | %9s %9s | %9s | %7s | %-18s %9s | %8s%n", "pair", "xcopy ms",
                "xcopy MiB/s", "host MiB/s", "xc/host", "backend limit", "MiB/s", "xc/limit");
        System.out.println("-".repeat(104));
        for (Row r : rows) {
            long o = median(r.offloadNs);
            long h = median(r.hostNs);
            String limit = r.baseNs == null ? String.format("%-18s %9s | %8s", "-", "-", "-")
                    : String.format(Locale.ROOT, "%-18s %9.0f | %7.0f%%", r.baseLabel, mibs(median(r.baseNs)),
                            100.0 * median(r.baseNs) / o);
            System.out.printf(Locale.ROOT, "%-11s | %9.1f %9.0f | %9.0f | %6.1fx | %s%n", r.pair.name, o / 1e6,
                    mibs(o), mibs(h), (double) h / o, limit);
        }
        System.out.println();
        for (Row r : rows) {
            long o = median(r.offloadNs);
            long h = median(r.hostNs);
            switch (r.pair.name) {
                case "ram->ram" -> {
                    target("RAM->RAM offload >= 10x host-side copy", (double) h / o >= 10,
                            String.format(Locale.ROOT, "%.1fx", (double) h / o));
                    if (r.baseNs != null) {
                        double pct = 100.0 * median(r.baseNs) / o;
                        target("RAM->RAM offload >= 70% of a memory copy", pct >= 70,
                                String.format(Locale.ROOT, "%.0f%%", pct));
                    }
                }
                case "file->file" -> {
                    if (r.baseNs != null) {
                        double pct = 100.0 * median(r.baseNs) / o;
                        target("file->file offload >= 80% of the filesystem's copy", pct >= 80,
                                String.format(Locale.ROOT, "%.0f%%", pct));
                    }
                }
                case "xfs->xfs" -> target("1 GiB file->file on XFS (aligned) < 50 ms", size >= 1L << 30 && o < 50e6,
                        String.format(Locale.ROOT, "%.1f ms for %d MiB", o / 1e6, size >> 20));
                default -> {}
            }
        }
    }

    private static void target(String what, boolean met, String value) {
        System.out.printf("target %-52s %-7s (%s)%n", what + ":", met ? "MET" : "NOT MET", value);
    }

    private static void log(String fmt, Object... args) {
        System.err.println("# " + String.format(Locale.ROOT, fmt, args));
    }
}
