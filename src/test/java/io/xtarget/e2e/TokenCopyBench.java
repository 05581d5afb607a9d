package io.xtarget.e2e;

import static io.xtarget.scsi.copy.TokenLists.range;
import static org.assertj.core.api.Assertions.assertThat;

import io.xtarget.config.BackstoreConfig;
import io.xtarget.config.BackstoreType;
import io.xtarget.config.ImageCreation;
import io.xtarget.config.LunConfig;
import io.xtarget.config.ServerConfig;
import io.xtarget.config.TargetConfig;
import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.copy.TokenLists;
import io.xtarget.server.XtargetServer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How long one synchronous WRITE USING TOKEN takes, by size and backstore pair, through iSCSI on
 * 127.0.0.1: the numbers behind OPTIMAL TRANSFER COUNT and MAXIMUM TOKEN TRANSFER SIZE (Windows
 * allows a synchronous offload command 4 seconds). Not part of the build:
 *
 * <pre>mvn -B -q -o test -Dtest=TokenCopyBench -Dxt.bench=true [-Dxt.bench.dir=/var/tmp]</pre>
 *
 * Prints one line per pair and size: median and worst of 5 runs, in ms and MiB/s. "file(wce=0)"
 * is the file destination with its write cache disabled (MODE SELECT caching page), so every
 * chunk is written through to the disk: the slowest pair.
 */
@EnabledIfSystemProperty(named = "xt.bench", matches = "true")
class TokenCopyBench {
    private static final String TARGET = "iqn.2026-11.io.xtarget.test:bench";
    private static final String HOST = "iqn.2026-11.io.xtarget.test:bench-host";
    private static final long SIZE = 1L << 30;
    private static final int BS = 512;
    private static long listId = 1;

    private static BackstoreConfig store(String name, BackstoreType type, Path dir, String naaTail) {
        return new BackstoreConfig(name, type, type == BackstoreType.FILE ? dir.resolve(name + ".img").toString() : null,
                SIZE, BS, "60a5854000000000000000000000" + naaTail, "sn-" + name);
    }

    @Test
    void writeUsingTokenLatency() throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("xt.bench.dir", "/var/tmp")), "xt-odx-bench");
        String portal = E2eServer.freePortal();
        ServerConfig cfg = new ServerConfig(List.of(store("fsrc", BackstoreType.FILE, dir, "0b01"),
                store("fdst", BackstoreType.FILE, dir, "0b02"), store("rsrc", BackstoreType.RAM, dir, "0b03")),
                List.of(new TargetConfig(TARGET, List.of(portal), CopyAccessPolicy.INITIATOR,
                        List.of(new LunConfig(0, "fsrc", false), new LunConfig(1, "fdst", false),
                                new LunConfig(2, "rsrc", false)), List.of())));
        try (XtargetServer unused = XtargetServer.start(cfg, dir, IscsiServer.Options.defaults(),
                (name, st) -> st, ImageCreation.recreating(List.of("fsrc", "fdst")));
                IscsiSession s = Scsi.open("iscsi://" + portal + "/" + TARGET + "/0", Scsi.options(HOST))) {
            for (int lun = 0; lun < 3; lun++) {
                Scsi.clearUnitAttentions(s, lun);
            }
            byte[] chunk = Scsi.random(8 << 20, 7);
            for (long off = 0; off < (256L << 20); off += chunk.length) {
                Scsi.write(s, 0, off / BS, chunk, BS);
                Scsi.write(s, 2, off / BS, chunk, BS);
            }
            System.out.println("WRITE USING TOKEN, IMMED=0, one range, 5 runs: median / worst");
            for (int mib : new int[] {64, 128, 256}) {
                report(s, "file -> file", 0, mib);
                report(s, "ram  -> file", 2, mib);
            }
            setWriteCache(s, 1, false);
            for (int mib : new int[] {64, 128, 256}) {
                report(s, "file -> file(wce=0)", 0, mib);
                report(s, "ram  -> file(wce=0)", 2, mib);
            }
        } finally {
            try (var files = Files.walk(dir)) { // two 1 GiB images: never left behind
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void report(IscsiSession s, String pair, int srcLun, int mib) throws Exception {
        long blocks = ((long) mib << 20) / BS;
        List<Long> ms = new ArrayList<>();
        for (int run = 0; run < 5; run++) {
            long id = listId++;
            byte[] p = TokenLists.populateList(range(0, blocks));
            Scsi.good(s, srcLun, TokenLists.populate(id, p.length).bytes(), ByteBuffer.wrap(p), 0);
            byte[] token = TokenLists.tokenOf(Scsi.good(s, srcLun, TokenLists.rrti(id).bytes(), null, 4096));
            byte[] w = TokenLists.writeList(token, range(run * blocks % ((SIZE / BS) - blocks), blocks));
            long t0 = System.nanoTime();
            CommandResult r = Scsi.run(s, 1, TokenLists.writeUsingToken(listId++, w.length).bytes(), ByteBuffer.wrap(w), 0);
            ms.add((System.nanoTime() - t0) / 1_000_000);
            assertThat(r.status()).as("%s", r).isZero();
        }
        long[] sorted = ms.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("%-20s %4d MiB: %5d ms / %5d ms  (%6.0f MiB/s median)  runs %s%n", pair, mib, sorted[2],
                sorted[4], mib * 1000.0 / Math.max(1, sorted[2]), Arrays.toString(ms.toArray()));
    }

    private static void setWriteCache(IscsiSession s, int lun, boolean wce) throws Exception {
        byte[] sense = Scsi.good(s, lun, Scsi.modeSense10(0x08, 255), null, 255);
        int bdl = ((sense[6] & 0xFF) << 8) | (sense[7] & 0xFF);
        byte[] page = Arrays.copyOfRange(sense, 8 + bdl, 8 + bdl + 20);
        page[0] &= 0x3F;
        page[2] = (byte) (wce ? page[2] | 0x04 : page[2] & ~0x04);
        byte[] params = new byte[8 + 20];
        System.arraycopy(page, 0, params, 8, 20);
        Scsi.good(s, lun, Scsi.modeSelect10(params.length), ByteBuffer.wrap(params), 0);
    }
}
