package io.xtarget.e2e;

import static io.xtarget.e2e.E2eServer.MIB;
import static io.xtarget.e2e.E2eServer.rw;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.backend.FileStore;
import io.xtarget.backend.Store;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Simulated power loss at small scale: two file LUs, each below a {@link PowerLossStore} (a
 * volatile cache that reaches the image only on flush or FUA), two initiators writing random
 * block ranges with four durability contracts:
 * <ol type="a">
 *   <li>WRITE(10) with FUA: durable at its GOOD;</li>
 *   <li>plain WRITE(10)s, then SYNCHRONIZE CACHE(10): durable at the SYNCHRONIZE CACHE's GOOD;</li>
 *   <li>plain WRITE(10) to the LU whose write cache was disabled (MODE SELECT, caching page
 *       WCE=0): durable at its GOOD;</li>
 *   <li>plain WRITE(10) with WCE=1 and no flush of its own: may be lost; durable only once a later
 *       SYNCHRONIZE CACHE from the same initiator to the same LU is GOOD (SBC: it flushes every
 *       completed write). A fifth writer only ever sends these, so the cache always holds
 *       something to lose.</li>
 * </ol>
 * The power is cut from the test thread after a seeded number of acknowledgements, with the
 * writers' commands in flight; the server restarts on the same images (no cache any more) and every
 * block is read back. A block whose last durable write is known must hold that write or a write
 * issued after it (which may or may not have survived); any other content is a lost write. Every
 * block holds its writer, sequence number and LBA, so content from the wrong write, a torn mix or
 * garbage is told apart from a clean older version.
 *
 * <p>The same scenario against lying disks (one acknowledges flushes without doing them, one
 * FUA) must find the lost writes of exactly the contracts they break: the check can fail.
 *
 * <p>What this proves is that xtarget asks its {@link Store} for durability (write with FUA, or
 * flush) before every status that promises it; that {@code FileStore} turns those calls into
 * pwrite + fdatasync is read from its code, not tested here (the image's page cache survives).
 * {@link KillNineDurabilityE2eTest} covers a killed process.
 */
@Timeout(120)
class PowerLossDurabilityE2eTest {
    static final String TARGET = "iqn.2026-11.io.xtarget:powerloss";
    static final int LUN_CACHED = 0;
    static final int LUN_WT = 1;
    static final int BS = 512;
    /** Blocks each writer owns on its LU: small, so random ranges overwrite each other often. */
    static final int REGION = 1024;
    static final int MAX_BLOCKS = 8;
    static final long MAX_WRITE_MS = 10_000;
    static final byte[] SYNC_CACHE = {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    static final long[] SEEDS = {8, 9, 10};
    /** The cut waits until each of (a), (b), (c) has had this many durability points acknowledged. */
    static final int MIN_EACH = 10;
    static final long MAGIC = 0x58_54_50_4F_57_45_52_21L; // "XTPOWER!"

    @TempDir
    Path dir;

    @Test
    void noDurableWriteIsLostWhenThePowerGoes() throws Exception {
        for (long seed : SEEDS) { // three cut points
            Outcome o = run(PowerLossStore.Mode.HONEST, seed);
            System.out.println("power loss (honest cache, seed " + seed + "): " + o);
            assertThat(o.corrupt).as("blocks holding content no write put there").isEmpty();
            assertThat(o.lost).as("acknowledged-durable writes lost at the power cut").isEmpty();
            assertThat(o.durableWrites[0]).as("(a) FUA writes acknowledged").isGreaterThanOrEqualTo(MIN_EACH);
            assertThat(o.durableWrites[1]).as("(b) writes acknowledged by SYNCHRONIZE CACHE")
                    .isGreaterThanOrEqualTo(MIN_EACH);
            assertThat(o.durableWrites[2]).as("(c) writes acknowledged with WCE=0").isGreaterThanOrEqualTo(MIN_EACH);
            assertThat(o.durableBlocks).as("blocks whose last durable write is known").isGreaterThanOrEqualTo(200);
            assertThat(o.refused).as("store calls refused after the cut (commands in flight)").isPositive();
        }
    }

    /**
     * The same scenario on lying disks: one that ignores SYNCHRONIZE CACHE loses (b) writes (and
     * nothing made durable by FUA or WCE=0); one that ignores FUA loses every (c) write (that LU is
     * never flushed) and no (b) write.
     */
    @Test
    void aDiskThatIgnoresFlushesOrFuaIsCaught() throws Exception {
        Outcome noFlush = run(PowerLossStore.Mode.IGNORES_FLUSH, SEEDS[0]);
        System.out.println("power loss (cache ignoring flushes, negative control): " + noFlush);
        assertThat(noFlush.corrupt).isEmpty();
        assertThat(noFlush.lostByMode).as("lost blocks by the contract of their last durable write")
                .containsKey('b').doesNotContainKeys('a', 'c');
        assertThat(noFlush.lostByMode.get('b')).isGreaterThanOrEqualTo(50);

        Outcome noFua = run(PowerLossStore.Mode.IGNORES_FUA, SEEDS[0]);
        System.out.println("power loss (cache ignoring FUA, negative control): " + noFua);
        assertThat(noFua.corrupt).isEmpty();
        assertThat(noFua.lostByMode).as("lost blocks by the contract of their last durable write")
                .containsKey('c').doesNotContainKeys('b', 'd');
        assertThat(noFua.lostByMode.get('c')).as("every block written through WCE=0").isEqualTo(noFua.wtBlocks);
    }

    /** The model itself, on a file store: what is cached goes with the power, what was made durable stays. */
    @Test
    void theCacheKeepsOnlyWhatWasMadeDurable() throws Exception {
        Path image = dir.resolve("model.img");
        byte[][] v = new byte[8][];
        for (int i = 0; i < v.length; i++) {
            v[i] = Scsi.random(BS, 100 + i);
        }
        PowerLossStore.Power power = new PowerLossStore.Power();
        try (PowerLossStore s = new PowerLossStore(FileStore.open(image, BS, MIB), power, PowerLossStore.Mode.HONEST)) {
            s.write(BS, ByteBuffer.wrap(v[1]), true); // FUA
            s.write(2 * BS, ByteBuffer.wrap(v[2]), false);
            s.flush(); // block 2 durable
            s.write(0, ByteBuffer.wrap(v[0]), false); // cached, never flushed
            s.write(3 * BS, ByteBuffer.wrap(v[3]), false); // cached, then overwritten by FUA
            s.write(3 * BS, ByteBuffer.wrap(v[4]), true);
            s.write(4 * BS, ByteBuffer.wrap(v[5]), true); // FUA, then a cached overwrite that is lost
            s.write(4 * BS, ByteBuffer.wrap(v[6]), false);
            s.write(5 * BS + 100, ByteBuffer.wrap(v[7], 0, 200), false); // a partial block, cached
            s.write(5 * BS + 200, ByteBuffer.wrap(v[7], 200, 50), true); // FUA into the cached block
            ByteBuffer seen = ByteBuffer.allocate(6 * BS);
            s.read(0, seen);
            assertThat(Arrays.copyOfRange(seen.array(), 4 * BS, 5 * BS)).as("reads see the cache").isEqualTo(v[6]);
            assertThat(Arrays.copyOfRange(seen.array(), 5 * BS + 100, 5 * BS + 200))
                    .isEqualTo(Arrays.copyOfRange(v[7], 0, 100));
            assertThat(Arrays.copyOfRange(seen.array(), 5 * BS + 200, 5 * BS + 250))
                    .isEqualTo(Arrays.copyOfRange(v[7], 200, 250));
            assertThat(power.cut()).as("cached blocks dropped").isEqualTo(3);
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> s.flush())).isInstanceOf(IOException.class);
        }
        try (Store s = FileStore.open(image, BS, 0, false)) {
            ByteBuffer after = ByteBuffer.allocate(6 * BS);
            s.read(0, after);
            byte[] a = after.array();
            byte[] block5 = new byte[BS];
            System.arraycopy(v[7], 200, block5, 200, 50);
            assertThat(Arrays.copyOfRange(a, 0, BS)).isEqualTo(new byte[BS]);
            assertThat(Arrays.copyOfRange(a, BS, 2 * BS)).isEqualTo(v[1]);
            assertThat(Arrays.copyOfRange(a, 2 * BS, 3 * BS)).isEqualTo(v[2]);
            assertThat(Arrays.copyOfRange(a, 3 * BS, 4 * BS)).isEqualTo(v[4]);
            assertThat(Arrays.copyOfRange(a, 4 * BS, 5 * BS)).isEqualTo(v[5]);
            assertThat(Arrays.copyOfRange(a, 5 * BS, 6 * BS)).isEqualTo(block5);
        }
    }

    // ---------------------------------------------------------------- the scenario

    /** What one run saw; {@code durableWrites} by contract (a), (b), (c), (d made durable by a later sync). */
    record Outcome(long acks, int[] durableWrites, int unsyncedWrites, int durableBlocks, int wtBlocks, int newerKept,
            int cachedBlocks, int cachedSurvived, long dropped, long refused, List<String> lost,
            Map<Character, Integer> lostByMode, List<String> corrupt, long millis, String stores) {
        @Override
        public String toString() {
            return ("%d acks; durable writes: (a) FUA %d, (b) SYNC CACHE %d, (c) WCE=0 %d, (d) covered by a later"
                    + " SYNC CACHE %d; (d) not covered %d; %d blocks with a durable write, %d lost, %d hold a later"
                    + " write; %d blocks written only without durability, %d of them kept their newest write;"
                    + " cut dropped %d cached blocks, refused %d calls; %d corrupt; %d ms [%s]")
                    .formatted(acks, durableWrites[0], durableWrites[1], durableWrites[2], durableWrites[3],
                            unsyncedWrites, durableBlocks, lost.size(), newerKept, cachedBlocks, cachedSurvived,
                            dropped, refused, corrupt.size(), millis, stores)
                    + (lost.isEmpty() ? "" : "; lost by contract " + lostByMode + ", first: "
                            + lost.subList(0, Math.min(3, lost.size())));
        }
    }

    Outcome run(PowerLossStore.Mode mode, long seed) throws Exception {
        long t0 = System.nanoTime();
        PowerLossStore.Power power = new PowerLossStore.Power();
        AtomicBoolean cached = new AtomicBoolean(true);
        List<PowerLossStore> stores = new CopyOnWriteArrayList<>();
        Path run = Files.createDirectories(dir.resolve(mode.name() + "-" + seed));
        List<Writer> writers = new ArrayList<>();
        AtomicLong acks = new AtomicLong();
        AtomicLongArray durableAcks = new AtomicLongArray(3);
        try (E2eServer server = E2eServer.builder(run)
                .file("cached", "cached.img", 4 * MIB, BS)
                .file("wt", "wt.img", 4 * MIB, BS)
                .target(TARGET, List.of(E2eServer.EPHEMERAL), List.of(rw(LUN_CACHED, "cached"), rw(LUN_WT, "wt")))
                .wrap((name, store) -> {
                    if (!cached.get()) {
                        return store; // after the power cut: the bare images
                    }
                    PowerLossStore p = new PowerLossStore(store, power, mode);
                    stores.add(p);
                    return p;
                }).start()) {
            IscsiSession[] sessions = new IscsiSession[2];
            try {
                for (int i = 0; i < 2; i++) {
                    sessions[i] = Scsi.open(server.url(TARGET, 0), Scsi.options("iqn.2026-11.io.xtarget:power" + i));
                }
                disableWriteCache(sessions[0], LUN_WT);
                for (IscsiSession s : sessions) {
                    Scsi.clearUnitAttentions(s, LUN_CACHED);
                    Scsi.clearUnitAttentions(s, LUN_WT); // POWER ON, then MODE PARAMETERS CHANGED for the other
                }
                for (int i = 0; i < 2; i++) {
                    for (int lun : new int[] {LUN_CACHED, LUN_WT}) {
                        writers.add(new Writer(writers.size(), sessions[i], lun, (long) i * REGION, false,
                                new SplittableRandom(seed * 31 + writers.size()), power, acks, durableAcks));
                    }
                }
                // (d) only, never flushed by itself: keeps the cache busy between the others' flushes
                writers.add(new Writer(writers.size(), sessions[1], LUN_CACHED, 2L * REGION, true,
                        new SplittableRandom(seed * 31 + writers.size()), power, acks, durableAcks));
                List<Thread> threads = writers.stream()
                        .map(w -> Thread.ofPlatform().name("power-writer-" + w.id).start(w)).toList();
                long cutAt = new SplittableRandom(seed).nextLong(400, 900);
                long deadline = System.currentTimeMillis() + MAX_WRITE_MS;
                // at the seeded count, once each of (a), (b) and (c) has had its durability point
                // acknowledged often enough to mean something (how the writers interleave varies)
                while ((acks.get() < cutAt || fewest(durableAcks) < MIN_EACH) && System.currentTimeMillis() < deadline
                        && threads.stream().allMatch(Thread::isAlive)) {
                    Thread.sleep(1);
                }
                power.cut(); // mid-stream: every writer has a command in flight or about to be sent
                for (Thread t : threads) {
                    t.join(30_000);
                    assertThat(t.isAlive()).as("%s stopped after the power cut", t.getName()).isFalse();
                }
            } finally {
                for (IscsiSession s : sessions) {
                    if (s != null) {
                        s.close();
                    }
                }
            }
            for (Writer w : writers) {
                if (w.failure != null) {
                    throw new AssertionError("writer " + w.id + " failed before the power cut", w.failure);
                }
            }

            cached.set(false);
            server.restart();
            Check check = new Check();
            try (IscsiSession s = Scsi.open(server.url(TARGET, 0), Scsi.options("iqn.2026-11.io.xtarget:power-check"))) {
                for (int lun : new int[] {LUN_CACHED, LUN_WT}) {
                    Scsi.clearUnitAttentions(s, lun);
                    byte[] all = Scsi.read(s, lun, 0, 3 * REGION * BS, BS);
                    for (Writer w : writers) {
                        if (w.lun == lun) {
                            check.writer(w, all);
                        }
                    }
                }
                s.logout();
            }
            int[] durable = new int[4];
            int unsynced = 0;
            for (Writer w : writers) {
                for (Write x : w.writes) {
                    if (x.durable) {
                        durable[x.mode - 'a']++;
                    } else if (x.acked) {
                        unsynced++;
                    }
                }
            }
            StringBuilder st = new StringBuilder();
            for (PowerLossStore p : stores) {
                st.append(st.isEmpty() ? "" : "; ").append(p.stats());
            }
            return new Outcome(acks.get(), durable, unsynced, check.durableBlocks, check.wtBlocks, check.newerKept,
                    check.cachedBlocks, check.cachedSurvived, power.droppedBlocks(), power.refused(), check.lost,
                    check.lostByMode, check.corrupt, (System.nanoTime() - t0) / 1_000_000, st.toString());
        }
    }

    /** MODE SELECT(10) of the caching page with WCE=0, read back with MODE SENSE. */
    static void disableWriteCache(IscsiSession s, int lun) throws IOException {
        Scsi.clearUnitAttentions(s, lun);
        byte[] page = cachingPage(s, lun);
        page[0] &= 0x3F; // PS is reserved in MODE SELECT
        page[2] &= ~0x04;
        ByteBuffer list = ByteBuffer.allocate(8 + page.length).put(8, page);
        CommandResult r = s.execute(lun, Scsi.modeSelect10(list.capacity()), list, 0);
        assertThat(r.status()).as("MODE SELECT WCE=0: %s", r).isZero();
        assertThat(cachingPage(s, lun)[2] & 0x04).as("WCE read back").isZero();
    }

    static byte[] cachingPage(IscsiSession s, int lun) throws IOException {
        byte[] d = Scsi.good(s, lun, Scsi.modeSense10(0x08, 64), null, 64);
        int off = 8 + (((d[6] & 0xFF) << 8) | (d[7] & 0xFF));
        assertThat(d[off] & 0x3F).as("caching mode page").isEqualTo(0x08);
        return Arrays.copyOfRange(d, off, off + 2 + (d[off + 1] & 0xFF));
    }

    static long fewest(AtomicLongArray counts) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < counts.length(); i++) {
            min = Math.min(min, counts.get(i));
        }
        return min;
    }

    /** One WRITE(10): its contract, whether GOOD came back, and whether its durability point was acknowledged. */
    static final class Write {
        final long seq;
        final char mode;
        boolean acked;
        boolean durable;

        Write(long seq, char mode) {
            this.seq = seq;
            this.mode = mode;
        }
    }

    /**
     * One initiator's writer to one LU, one command at a time (so its writes to a block are
     * totally ordered), over the initiator's session (shared with its writer to the other LU).
     */
    static final class Writer implements Runnable {
        final int id;
        final IscsiSession s;
        final int lun;
        final long base;
        /** Only (d): plain writes, no SYNCHRONIZE CACHE ever. */
        final boolean plainOnly;
        final SplittableRandom rnd;
        final PowerLossStore.Power power;
        final AtomicLong acks;
        /** Durability points acknowledged so far, by kind: (a) FUA, (b) SYNCHRONIZE CACHE, (c) WCE=0. */
        final AtomicLongArray durableAcks;
        /** Every write to each LBA of the region, in issue order (recorded before it is sent). */
        final Map<Long, List<Write>> history = new HashMap<>();
        final List<Write> writes = new ArrayList<>();
        /** Acknowledged writes no SYNCHRONIZE CACHE has covered yet. */
        final List<Write> unsynced = new ArrayList<>();
        volatile Throwable failure;
        long seq;

        Writer(int id, IscsiSession s, int lun, long base, boolean plainOnly, SplittableRandom rnd,
                PowerLossStore.Power power, AtomicLong acks, AtomicLongArray durableAcks) {
            this.id = id;
            this.s = s;
            this.lun = lun;
            this.base = base;
            this.plainOnly = plainOnly;
            this.rnd = rnd;
            this.power = power;
            this.acks = acks;
            this.durableAcks = durableAcks;
        }

        @Override
        public void run() {
            try {
                while (step()) {
                    // until the power goes
                }
            } catch (IOException e) {
                if (!power.isOff()) {
                    failure = e;
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        /** One operation of a random contract; false once a command failed after the power cut. */
        private boolean step() throws IOException {
            if (lun == LUN_WT) {
                return write('c', false);
            }
            int pick = plainOnly ? 9 : rnd.nextInt(10);
            if (pick < 2) {
                return write('a', true);
            }
            if (pick < 5) {
                for (int i = 1 + rnd.nextInt(4); i > 0; i--) {
                    if (!write('b', false)) {
                        return false;
                    }
                }
                CommandResult r = s.execute(lun, SYNC_CACHE, null, 0);
                if (!ok(r, "SYNCHRONIZE CACHE")) {
                    return false;
                }
                for (Write w : unsynced) {
                    w.durable = true;
                    if (w.mode == 'b') {
                        durableAcks.incrementAndGet(1);
                    }
                }
                unsynced.clear();
                acks.incrementAndGet();
                return true;
            }
            return write('d', false);
        }

        private boolean write(char mode, boolean fua) throws IOException {
            int blocks = 1 + rnd.nextInt(MAX_BLOCKS);
            long lba = base + rnd.nextInt(REGION - blocks + 1);
            Write w = new Write(seq++, mode);
            writes.add(w);
            ByteBuffer data = ByteBuffer.allocate(blocks * BS);
            for (int i = 0; i < blocks; i++) {
                history.computeIfAbsent(lba + i, k -> new ArrayList<>()).add(w);
                data.put(block(id, w.seq, lba + i));
            }
            byte[] cdb = Scsi.write10(lba, blocks);
            if (fua) {
                cdb[1] |= 0x08;
            }
            CommandResult r = s.execute(lun, cdb, data.flip(), 0);
            if (!ok(r, "WRITE(10)")) {
                return false;
            }
            w.acked = true;
            if (fua || lun == LUN_WT) {
                w.durable = true;
                durableAcks.incrementAndGet(fua ? 0 : 2);
            } else {
                unsynced.add(w);
            }
            acks.incrementAndGet();
            return true;
        }

        /** GOOD; or false when the power is off; anything else before the cut is a failure. */
        private boolean ok(CommandResult r, String what) {
            if (r.good()) {
                return true;
            }
            if (!power.isOff()) {
                throw new AssertionError(what + " failed before the power cut: " + r);
            }
            return false;
        }
    }

    /** The content of one block written by {@code writer} as write {@code seq}: a header, then seeded bytes. */
    static byte[] block(int writer, long seq, long lba) {
        byte[] b = new byte[BS];
        new SplittableRandom(((long) writer << 48) ^ (seq << 20) ^ lba).nextBytes(b);
        ByteBuffer.wrap(b).putLong(0, MAGIC).putLong(8, writer).putLong(16, seq).putLong(24, lba);
        return b;
    }

    /** Reads back each writer's region and sorts every block. */
    static final class Check {
        int durableBlocks;
        /** Of those, blocks on the LU with WCE=0. */
        int wtBlocks;
        int newerKept;
        int cachedBlocks;
        int cachedSurvived;
        final List<String> lost = new ArrayList<>();
        final Map<Character, Integer> lostByMode = new java.util.TreeMap<>();
        final List<String> corrupt = new ArrayList<>();

        void writer(Writer w, byte[] lu) {
            for (long lba = w.base; lba < w.base + REGION; lba++) {
                byte[] b = Arrays.copyOfRange(lu, (int) (lba * BS), (int) ((lba + 1) * BS));
                List<Write> h = w.history.getOrDefault(lba, List.of());
                long seen = -1; // -1: zeros
                if (!Arrays.equals(b, new byte[BS])) {
                    ByteBuffer bb = ByteBuffer.wrap(b);
                    long seq = bb.getLong(16);
                    if (bb.getLong(0) != MAGIC || bb.getLong(8) != w.id || bb.getLong(24) != lba
                            || h.stream().noneMatch(x -> x.seq == seq) || !Arrays.equals(b, block(w.id, seq, lba))) {
                        corrupt.add("LU %d LBA %d (writer %d)".formatted(w.lun, lba, w.id));
                        continue;
                    }
                    seen = seq;
                }
                Write lastDurable = null;
                for (Write x : h) {
                    if (x.durable) {
                        lastDurable = x;
                    }
                }
                if (lastDurable != null) {
                    durableBlocks++;
                    if (w.lun == LUN_WT) {
                        wtBlocks++;
                    }
                    if (seen < lastDurable.seq) {
                        lostByMode.merge(lastDurable.mode, 1, Integer::sum);
                        lost.add("LU %d LBA %d: durable write %d (%c) of writer %d, read back %s".formatted(w.lun, lba,
                                lastDurable.seq, lastDurable.mode, w.id, seen < 0 ? "zeros" : "write " + seen));
                    } else if (seen > lastDurable.seq) {
                        newerKept++;
                    }
                } else if (!h.isEmpty()) {
                    cachedBlocks++;
                    if (seen == h.getLast().seq) {
                        cachedSurvived++;
                    }
                }
            }
        }
    }
}
