package io.xtarget.cli;

import io.xtarget.server.MetricsEndpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xtarget status --metrics HOST:PORT}: fetches a running server's counters and prints them readably. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the counters of a running xtarget (started with serve --metrics HOST:PORT).")
public final class StatusCommand implements Callable<Integer> {
    /** One sample line: name, optional {labels}, value (Prometheus text format). */
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Spec
    CommandSpec spec;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", required = true,
            description = "the server's metrics address")
    String metrics;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InetSocketAddress addr;
        try {
            addr = MetricsEndpoint.parseAddress(metrics);
        } catch (IllegalArgumentException e) {
            err.println("xtarget status: --metrics: " + e.getMessage());
            err.flush();
            return XcopyCommand.EXIT_USAGE;
        }
        String host = addr.getHostString().contains(":") ? "[" + addr.getHostString() + "]" : addr.getHostString();
        URI uri = URI.create("http://" + host + ":" + addr.getPort() + "/metrics");
        String body;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                err.println("xtarget status: " + uri + " answered HTTP " + r.statusCode());
                err.flush();
                return Main.EXIT_ERROR;
            }
            body = r.body();
        } catch (IOException e) {
            err.println("xtarget status: cannot fetch " + uri + ": " + (e.getMessage() == null ? e : e.getMessage()));
            err.flush();
            return Main.EXIT_ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_ERROR;
        }
        print(parse(body), uri, out);
        out.flush();
        return 0;
    }

    /** A sample: metric name, label values, value. */
    record Sample(String name, Map<String, String> labels, double value) {}

    static java.util.List<Sample> parse(String text) {
        java.util.List<Sample> out = new java.util.ArrayList<>();
        for (String line : text.split("\n")) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\"));
                }
            }
            try {
                out.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
            } catch (NumberFormatException ignored) {
                // not a sample we can show
            }
        }
        return out;
    }

    static void print(java.util.List<Sample> samples, URI uri, PrintWriter out) {
        Map<String, Double> plain = new LinkedHashMap<>();
        Map<String, double[]> lus = new LinkedHashMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        for (Sample s : samples) {
            String lu = s.labels().get("lu");
            if (lu != null && s.name().startsWith("xtarget_lu_")) {
                double[] rw = lus.computeIfAbsent(lu, k -> new double[LU_COLUMNS.size()]);
                int column = LU_COLUMNS.indexOf(s.name());
                if (column >= 0) {
                    rw[column] = s.value();
                }
                kinds.putIfAbsent(lu, s.labels().getOrDefault("kind", ""));
            } else if (s.labels().isEmpty()) {
                plain.put(s.name(), s.value());
            }
        }
        out.println("xtarget at " + uri);
        out.printf(Locale.ROOT, "  sessions          %d%n", (long) get(plain, "xtarget_sessions"));
        out.println("logins");
        out.printf(Locale.ROOT, "  CHAP failures     %d%n", (long) get(plain, "xtarget_login_auth_failures_total"));
        out.printf(Locale.ROOT, "  throttled         %d%n", (long) get(plain, "xtarget_login_throttled_total"));
        out.printf(Locale.ROOT, "  refused (0301)    %d%n", (long) get(plain, "xtarget_login_throttle_refused_total"));
        out.println("copies (EXTENDED COPY)");
        out.printf(Locale.ROOT, "  started           %d%n", (long) get(plain, "xtarget_copies_started_total"));
        out.printf(Locale.ROOT, "  succeeded         %d%n", (long) get(plain, "xtarget_copies_succeeded_total"));
        out.printf(Locale.ROOT, "  failed            %d%n", (long) get(plain, "xtarget_copies_failed_total"));
        out.printf(Locale.ROOT, "  bytes offloaded   %s%n", size(get(plain, "xtarget_copy_bytes_total")));
        out.printf(Locale.ROOT, "  via fast path     %s%n", size(get(plain, "xtarget_copy_fast_path_bytes_total")));
        out.println("token copies (POPULATE TOKEN / WRITE USING TOKEN)");
        out.printf(Locale.ROOT, "  tokens created    %d%n", (long) get(plain, "xtarget_rod_tokens_created_total"));
        out.printf(Locale.ROOT, "  tokens used       %d%n", (long) get(plain, "xtarget_rod_tokens_used_total"));
        out.printf(Locale.ROOT, "  tokens expired    %d%n", (long) get(plain, "xtarget_rod_tokens_expired_total"));
        out.printf(Locale.ROOT, "  bytes by token    %s%n", size(get(plain, "xtarget_token_copy_bytes_total")));
        out.printf(Locale.ROOT, "  bytes zeroed      %s%n", size(get(plain, "xtarget_token_zero_bytes_total")));
        if (!lus.isEmpty()) {
            out.printf(Locale.ROOT, "%-20s %-6s %22s %22s  %s%n", "logical unit", "kind", "read", "written", "state");
            lus.forEach((lu, rw) -> out.printf(Locale.ROOT, "  %-18s %-6s %22s %22s  %s%n", lu, kinds.get(lu),
                    size(rw[0]), size(rw[1]), state(rw)));
        }
    }

    /** Per-LU samples shown, in column order. */
    private static final java.util.List<String> LU_COLUMNS = java.util.List.of("xtarget_lu_read_bytes_total",
            "xtarget_lu_written_bytes_total", "xtarget_lu_failed", "xtarget_lu_flush_failures_total",
            "xtarget_lu_space_allocation_failures_total", "xtarget_lu_soft_threshold_reached");

    /** "ok", or what is wrong: FAILED (with failed flushes), out-of-space writes, soft threshold reached. */
    static String state(double[] v) {
        java.util.List<String> s = new java.util.ArrayList<>();
        if (v[2] != 0) {
            s.add(String.format(Locale.ROOT, "FAILED (%d failed flush(es); xtarget backstore enable NAME, then SIGHUP)",
                    (long) v[3]));
        }
        if (v[4] != 0) {
            s.add(String.format(Locale.ROOT, "%d writes out of space", (long) v[4]));
        }
        if (v[5] != 0) {
            s.add("soft threshold reached");
        }
        return s.isEmpty() ? "ok" : String.join(", ", s);
    }

    private static double get(Map<String, Double> m, String name) {
        return m.getOrDefault(name, 0.0);
    }

    /** "12.0 MiB (12582912)": readable and exact. */
    static String size(double bytes) {
        long b = (long) bytes;
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(Locale.ROOT, "%.1f %s (%d)", v, units[u], b);
    }
}
