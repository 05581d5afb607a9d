package io.xtarget.cli;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.InitiatorOptions;
import io.xtarget.initiator.IscsiSession;
import io.xtarget.initiator.IscsiUrl;
import io.xtarget.initiator.LoginException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code xtarget xcopy SRC DST}: asks the source LU's target to copy a block range to another LU
 * itself (EXTENDED COPY(LID1), SPC-4 6.4), so the data never crosses the network to us. Uses
 * only what any LID1 copy manager offers: identification CSCDs with NAA designators from VPD
 * 0x83, block to block segments, limits from VPD 0x8F or RECEIVE COPY RESULTS OPERATING
 * PARAMETERS, and progress from COPY STATUS of a held list identifier (LIST ID USAGE 00b).
 */
@Command(name = "xcopy", mixinStandardHelpOptions = true,
        description = {"Copy blocks between two LUs with EXTENDED COPY, offloaded to the target.",
            "URLs: iscsi://host[:port]/target-iqn/lun. The command goes to the source LU (PUSH); the",
            "destination may be on another target of the same copy manager."})
public final class XcopyCommand implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SRC-URL", description = "source LU")
    String source;

    @Parameters(index = "1", paramLabel = "DST-URL", description = "destination LU")
    String destination;

    @Option(names = "--src-lba", paramLabel = "N", description = "first source block (default 0)")
    long srcLba;

    @Option(names = "--dst-lba", paramLabel = "N", description = "first destination block (default 0)")
    long dstLba;

    @Option(names = "--blocks", paramLabel = "N",
            description = "source blocks to copy (default: the rest of the source, capped to the destination)")
    Long blocks;

    @Option(names = {"-i", "--initiator"}, paramLabel = "IQN", description = "initiator name to log in with")
    String initiator = "iqn.2026-11.io.xtarget:xcopy";

    @Option(names = "--list-id", paramLabel = "N", description = "EXTENDED COPY list identifier 0..255 (default 1)")
    int listId = 1;

    @Option(names = "--poll-ms", paramLabel = "MS", description = "progress poll interval (default 500)")
    int pollMillis = 500;

    @Option(names = {"-q", "--quiet"}, description = "no progress lines")
    boolean quiet;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IscsiUrl src;
        IscsiUrl dst;
        try {
            src = IscsiUrl.parse(source);
            dst = IscsiUrl.parse(destination);
        } catch (IllegalArgumentException e) {
            return fail(err, EXIT_USAGE, e.getMessage());
        }
        if (listId < 0 || listId > 255 || srcLba < 0 || dstLba < 0 || (blocks != null && blocks <= 0)
                || pollMillis <= 0) {
            return fail(err, EXIT_USAGE, "--list-id must be 0..255, LBAs >= 0, --blocks and --poll-ms > 0");
        }
        InitiatorOptions options = InitiatorOptions.defaults().withInitiatorName(initiator)
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofDays(1));
        try (IscsiSession s = open(src, options)) {
            return copy(s, src, dst, options, out, err);
        } catch (LoginException e) {
            return fail(err, 1, "login refused: " + e.getMessage());
        } catch (ScsiProbe.ProbeException e) {
            return fail(err, 1, e.getMessage());
        } catch (IOException e) {
            return fail(err, 1, e.getMessage());
        }
    }

    private static IscsiSession open(IscsiUrl url, InitiatorOptions options) throws IOException {
        try {
            return IscsiSession.open(url, options);
        } catch (LoginException e) {
            throw new LoginException(url.host() + ":" + url.port() + " " + url.targetName() + ": " + e.getMessage());
        }
    }

    private int copy(IscsiSession s, IscsiUrl src, IscsiUrl dst, InitiatorOptions options, PrintWriter out,
            PrintWriter err) throws IOException, ScsiProbe.ProbeException {
        ScsiProbe sp = new ScsiProbe(s, src.lun(), "source " + src);
        sp.ready();
        sp.requireThirdPartyCopy();
        byte[] srcId = sp.naaDesignator();
        long[] srcCap = sp.capacity();

        byte[] dstId;
        long[] dstCap;
        boolean sameTarget = src.host().equalsIgnoreCase(dst.host()) && src.port() == dst.port()
                && src.targetName().equalsIgnoreCase(dst.targetName());
        if (sameTarget) {
            ScsiProbe dp = new ScsiProbe(s, dst.lun(), "destination " + dst);
            dp.ready();
            dstId = dp.naaDesignator();
            dstCap = dp.capacity();
        } else { // only to learn its designator and capacity: the copy itself goes to the source
            try (IscsiSession d = open(dst, options)) {
                ScsiProbe dp = new ScsiProbe(d, dst.lun(), "destination " + dst);
                dp.ready();
                dstId = dp.naaDesignator();
                dstCap = dp.capacity();
                try {
                    d.logout();
                } catch (IOException ignored) {
                    // the session closes anyway
                }
            }
        }
        int sbs = (int) srcCap[1];
        int dbs = (int) dstCap[1];
        if (srcLba >= srcCap[0]) {
            return fail(err, 1, "--src-lba " + srcLba + " is past the source's " + srcCap[0] + " blocks");
        }
        if (dstLba >= dstCap[0]) {
            return fail(err, 1, "--dst-lba " + dstLba + " is past the destination's " + dstCap[0] + " blocks");
        }
        long dstRoom = Math.multiplyHigh(dstCap[0] - dstLba, dbs) != 0 ? Long.MAX_VALUE
                : (dstCap[0] - dstLba) * dbs / sbs;
        long n = blocks != null ? blocks : Math.min(srcCap[0] - srcLba, dstRoom);
        if (n > srcCap[0] - srcLba) {
            return fail(err, 1, n + " blocks from LBA " + srcLba + " run past the source's " + srcCap[0] + " blocks");
        }
        if (n > dstRoom) {
            return fail(err, 1, n + " blocks do not fit the destination after LBA " + dstLba);
        }
        CopyManagerLimits limits = sp.copyLimits();
        CopyRange range = new CopyRange(srcLba, dstLba, n, sbs, dbs);
        List<CopyRange.Segment> segments;
        try {
            segments = range.split(limits);
        } catch (IllegalArgumentException e) {
            return fail(err, 1, e.getMessage());
        }
        byte[] list = XcopyParameterList.build(listId, srcId, sbs, dstId, dbs, segments);
        out.printf("xcopy %s -> %s: %d blocks of %d bytes (%s) in %d segment(s), list id %d%n", src, dst, n, sbs,
                mib(range.bytes()), segments.size(), listId);
        out.flush();

        long start = System.nanoTime();
        CompletableFuture<CommandResult> copy = s.submit(src.lun(), XcopyParameterList.cdb(list.length),
                ByteBuffer.wrap(list), 0);
        CommandResult result = awaitWithProgress(s, src.lun(), copy, range.bytes(), segments.size(), out);
        long nanos = Math.max(1, System.nanoTime() - start);
        if (!result.good()) {
            long[] st = copyStatus(s, src.lun());
            String done = st == null ? "" : String.format(" after %s in %d segment(s)", mib(bytes(st)), st[1]);
            return fail(err, 1, "copy failed" + done + ": " + SenseText.describe(result));
        }
        if (!quiet) { // the held result (LIST ID USAGE 00b) confirms what the copy manager moved
            printProgress(copyStatus(s, src.lun()), range.bytes(), segments.size(), out);
        }
        double seconds = nanos / 1e9;
        out.printf(Locale.ROOT, "copied %d bytes in %.3f s (%.1f MiB/s)%n", range.bytes(), seconds,
                range.bytes() / (1024.0 * 1024.0) / seconds);
        out.flush();
        try {
            s.logout();
        } catch (IOException ignored) {
            // done anyway
        }
        return 0;
    }

    /** Waits for the copy, printing COPY STATUS (polled on the same I_T nexus, SPC-4 6.20.2) meanwhile. */
    private CommandResult awaitWithProgress(IscsiSession s, int lun, CompletableFuture<CommandResult> copy,
            long total, int segmentCount, PrintWriter out) throws IOException {
        while (true) {
            try {
                return copy.get(pollMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!quiet) {
                    printProgress(copyStatus(s, lun), total, segmentCount, out);
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private static void printProgress(long[] st, long total, int segmentCount, PrintWriter out) {
        if (st == null) {
            return;
        }
        long b = bytes(st);
        out.printf(Locale.ROOT, "progress: %s of %s (%.0f%%), %d of %d segment(s)%n", mib(b), mib(total),
                total == 0 ? 100.0 : 100.0 * b / total, st[1], segmentCount);
        out.flush();
    }

    /** COPY STATUS: {status, segments processed, transfer count units, transfer count}, or null. */
    private long[] copyStatus(IscsiSession s, int lun) throws IOException {
        CommandResult r = s.execute(lun, ScsiProbe.receiveCopyResults(0x00, listId, 12), null, 12);
        if (!r.good() || r.data().remaining() < 12) {
            return null;
        }
        ByteBuffer d = r.data();
        return new long[] {d.get(4) & 0x7F, d.getShort(5) & 0xFFFF, d.get(7) & 0xFF, d.getInt(8) & 0xFFFFFFFFL};
    }

    /** TRANSFER COUNT scaled by TRANSFER COUNT UNITS (SPC-4 table 169: 0 bytes, 1 KiB, 2 MiB, ...). */
    static long bytes(long[] status) {
        int units = (int) Math.min(status[2], 6);
        return status[3] << (10 * units);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static int fail(PrintWriter err, int code, String message) {
        err.println("xtarget xcopy: " + message);
        err.flush();
        return code;
    }
}
