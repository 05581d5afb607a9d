package io.xtarget.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** What {@code xtarget xcopy} prints: the plan, progress lines (unless quiet) and the throughput. */
final class CopyReport {
    private final PrintWriter out;
    private final boolean quiet;
    private long start = System.nanoTime();

    CopyReport(PrintWriter out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    void line(String text) {
        out.println(text);
        out.flush();
    }

    /** Prints the plan and starts the clock: what follows is the copy itself, probing is done. */
    void begin(String header) {
        line(header);
        start = System.nanoTime();
    }

    /** A line only when not quiet. */
    void note(String text) {
        if (!quiet) {
            line(text);
        }
    }

    /** "progress: 8.0 MiB of 16.0 MiB (50%), DETAIL". */
    void progress(long done, long total, String detail) {
        note(String.format(Locale.ROOT, "progress: %s of %s (%.0f%%), %s", mib(done), mib(total),
                total == 0 ? 100.0 : 100.0 * done / total, detail));
    }

    /** "copied N bytes in S s (R MiB/s)", timed from {@link #begin}. */
    void done(String verb, long bytes) {
        double seconds = Math.max(1, System.nanoTime() - start) / 1e9;
        line(String.format(Locale.ROOT, "%s %d bytes in %.3f s (%.1f MiB/s)", verb, bytes, seconds,
                bytes / (1024.0 * 1024.0) / seconds));
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
