package io.xtarget.cli;

import io.xtarget.initiator.CommandResult;
import io.xtarget.initiator.IscsiSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code xtarget xcopy SRC DST}: one EXTENDED COPY(LID1) (SPC-4 6.4) sent to the source LU (PUSH),
 * naming both LUs by the NAA designators of their VPD 0x83 pages, with block to block segments
 * within the copy manager's limits, and progress from COPY STATUS of the held list identifier
 * (LIST ID USAGE 00b) polled on the same I_T nexus (SPC-4 6.20.2).
 */
final class ExtendedCopy {
    private final int listId;
    private final int pollMillis;
    private final boolean quiet;
    private final PrintWriter out;

    ExtendedCopy(int listId, int pollMillis, boolean quiet, PrintWriter out) {
        this.listId = listId;
        this.pollMillis = pollMillis;
        this.quiet = quiet;
        this.out = out;
    }

    void copy(CopyEnd src, CopyEnd dst, CopyRange range) throws IOException, ScsiProbe.ProbeException {
        src.probe().requireThirdPartyCopy();
        byte[] srcId = src.probe().naaDesignator();
        byte[] dstId = dst.probe().naaDesignator();
        List<CopyRange.Segment> segments;
        try {
            segments = range.split(src.probe().copyLimits());
        } catch (IllegalArgumentException e) {
            throw new ScsiProbe.ProbeException(e.getMessage());
        }
        byte[] list = XcopyParameterList.build(listId, srcId, src.blockSize(), dstId, dst.blockSize(), segments);
        CopyReport report = new CopyReport(out, quiet);
        report.begin(String.format("xcopy %s -> %s: %d blocks of %d bytes (%s) in %d segment(s), list id %d",
                src.url(), dst.url(), range.blocks(), src.blockSize(), CopyReport.mib(range.bytes()), segments.size(),
                listId));
        IscsiSession s = src.session();
        int lun = src.url().lun();
        CompletableFuture<CommandResult> copy = s.submit(lun, XcopyParameterList.cdb(list.length),
                ByteBuffer.wrap(list), 0);
        CommandResult result = awaitWithProgress(s, lun, copy, range.bytes(), segments.size(), report);
        if (!result.good()) {
            long[] st = copyStatus(s, lun);
            String done = st == null ? "" : String.format(" after %s in %d segment(s)", CopyReport.mib(bytes(st)), st[1]);
            throw new ScsiProbe.ProbeException("copy failed" + done + ": " + SenseText.describe(result));
        }
        // the held result (LIST ID USAGE 00b) confirms what the copy manager moved
        printProgress(quiet ? null : copyStatus(s, lun), range.bytes(), segments.size(), report);
        report.done("copied", range.bytes());
    }

    /** Waits for the copy, printing COPY STATUS meanwhile. */
    private CommandResult awaitWithProgress(IscsiSession s, int lun, CompletableFuture<CommandResult> copy,
            long total, int segmentCount, CopyReport report) throws IOException {
        while (true) {
            try {
                return copy.get(pollMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!quiet) {
                    printProgress(copyStatus(s, lun), total, segmentCount, report);
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private static void printProgress(long[] st, long total, int segmentCount, CopyReport report) {
        if (st != null) {
            report.progress(bytes(st), total, st[1] + " of " + segmentCount + " segment(s)");
        }
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
}
