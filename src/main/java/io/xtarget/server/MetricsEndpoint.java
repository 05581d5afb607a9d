package io.xtarget.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.xtarget.iscsi.IscsiServer;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.copy.CopyStats;
import io.xtarget.vhost.VhostController;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain-text counters of a running xtarget in the Prometheus text exposition format, served over
 * the JDK's HTTP server on {@code GET /metrics} (and {@code /}). Read-only and cheap: every value
 * is a counter the data path already keeps, summed at request time.
 */
public final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer http;
    private final ExecutorService executor;

    private MetricsEndpoint(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    /** Binds {@code address} (port 0: ephemeral) and serves {@code server}'s counters. */
    public static MetricsEndpoint start(InetSocketAddress address, XtargetServer server) throws IOException {
        HttpServer http = HttpServer.create(address, 16);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        http.setExecutor(executor);
        http.createContext("/", exchange -> handle(exchange, server));
        http.start();
        MetricsEndpoint m = new MetricsEndpoint(http, executor);
        log.info("metrics on http://{}:{}/metrics", address.getHostString(), m.address().getPort());
        return m;
    }

    /** "HOST:PORT" (IPv6 in brackets) as a socket address; throws IllegalArgumentException naming the problem. */
    public static InetSocketAddress parseAddress(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in " + hostPort);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port outside 0..65535 in " + hostPort);
        }
        return new InetSocketAddress(host, port);
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private static void handle(HttpExchange exchange, XtargetServer server) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals("/") && !path.equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = render(server).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The exposition text: one HELP and TYPE line per metric, then its samples. */
    static String render(XtargetServer server) {
        StringBuilder b = new StringBuilder(1024);
        CopyStats.Snapshot c = server.copyStats().snapshot();
        metric(b, "xtarget_sessions", "gauge", "logged-in iSCSI sessions", server.sessionCount());
        IscsiServer.LoginStats logins = server.loginStats();
        metric(b, "xtarget_login_auth_failures_total", "counter",
                "logins refused with 0201 (authentication failure) where the target required CHAP",
                logins.authFailures());
        metric(b, "xtarget_login_throttled_total", "counter",
                "logins delayed by the back-off after failed CHAP logins from their initiator name or address",
                logins.throttled());
        metric(b, "xtarget_login_throttle_refused_total", "counter",
                "logins refused at once with 0301 because their back-off reached past their login timeout",
                logins.throttleRefused());
        metric(b, "xtarget_copies_started_total", "counter", "EXTENDED COPY commands accepted", c.copies());
        metric(b, "xtarget_copies_succeeded_total", "counter", "EXTENDED COPY commands ended GOOD", c.succeeded());
        metric(b, "xtarget_copies_failed_total", "counter",
                "EXTENDED COPY commands that failed or were aborted after they were accepted", c.failures());
        metric(b, "xtarget_copy_bytes_total", "counter", "bytes moved by EXTENDED COPY (offloaded)",
                c.bytesOffloaded());
        metric(b, "xtarget_copy_fast_path_bytes_total", "counter",
                "bytes of EXTENDED COPY moved by the store copy fast path", c.fastPathBytes());
        CopyStats.Tokens t = server.copyStats().tokens();
        metric(b, "xtarget_rod_tokens_created_total", "counter", "ROD tokens created by POPULATE TOKEN", t.created());
        metric(b, "xtarget_rod_tokens_used_total", "counter", "WRITE USING TOKEN commands that used a live ROD token",
                t.used());
        metric(b, "xtarget_rod_tokens_expired_total", "counter", "ROD tokens ended by their inactivity timeout",
                t.expired());
        metric(b, "xtarget_token_copy_bytes_total", "counter", "bytes written by WRITE USING TOKEN from ROD tokens",
                t.bytesCopied());
        metric(b, "xtarget_token_zero_bytes_total", "counter",
                "bytes zeroed by WRITE USING TOKEN with the block device zero ROD token", t.bytesZeroed());
        header(b, "xtarget_lu_read_bytes_total", "counter", "bytes read from each logical unit (commands and copies)");
        for (LogicalUnit lu : server.units()) {
            sample(b, "xtarget_lu_read_bytes_total", lu, lu.bytesRead());
        }
        header(b, "xtarget_lu_written_bytes_total", "counter",
                "bytes written to each logical unit (commands and copies)");
        for (LogicalUnit lu : server.units()) {
            sample(b, "xtarget_lu_written_bytes_total", lu, lu.bytesWritten());
        }
        faults(b, server);
        vhost(b, server);
        return b.toString();
    }

    /** vhost-user-scsi controllers: a front-end connected, command data placed directly or copied. */
    private static void vhost(StringBuilder b, XtargetServer server) {
        List<VhostController> controllers = server.vhostControllers();
        header(b, "xtarget_vhost_frontend_connected", "gauge", "1 while a front-end (QEMU) is connected to the controller");
        for (VhostController c : controllers) {
            b.append("xtarget_vhost_frontend_connected{socket=\"").append(escape(c.socket().toString())).append("\"} ")
                    .append(c.connected() ? 1 : 0).append('\n');
        }
        header(b, "xtarget_vhost_data_bytes_total", "counter",
                "command data moved between guest memory and the stores: placed directly, or copied through a buffer");
        for (VhostController c : controllers) {
            String socket = escape(c.socket().toString());
            b.append("xtarget_vhost_data_bytes_total{socket=\"").append(socket).append("\",how=\"direct\"} ")
                    .append(c.directBytes()).append('\n');
            b.append("xtarget_vhost_data_bytes_total{socket=\"").append(socket).append("\",how=\"copied\"} ")
                    .append(c.copiedBytes()).append('\n');
        }
    }

    /** Backstore health and thin provisioning: failed state, failed flushes, out-of-space writes, soft threshold. */
    private static void faults(StringBuilder b, XtargetServer server) {
        header(b, "xtarget_lu_failed", "gauge",
                "1 while a logical unit is failed after a failed flush (writes and flushes refused until enabled)");
        for (LogicalUnit lu : server.units()) {
            sample(b, "xtarget_lu_failed", lu, lu.health().state() == io.xtarget.scsi.LuHealth.State.FAILED ? 1 : 0);
        }
        header(b, "xtarget_lu_flush_failures_total", "counter", "flushes (SYNCHRONIZE CACHE, FUA) the store failed");
        for (LogicalUnit lu : server.units()) {
            sample(b, "xtarget_lu_flush_failures_total", lu, lu.health().flushFailures());
        }
        header(b, "xtarget_lu_space_allocation_failures_total", "counter",
                "writes refused because the store's file system was out of space (DATA PROTECT 27h/07h)");
        for (LogicalUnit lu : server.units()) {
            sample(b, "xtarget_lu_space_allocation_failures_total", lu, lu.provisioning().spaceAllocationFailures());
        }
        header(b, "xtarget_lu_soft_threshold_reached", "gauge",
                "1 while the file system of a logical unit is at or above its soft threshold");
        for (LogicalUnit lu : server.units()) {
            sample(b, "xtarget_lu_soft_threshold_reached", lu,
                    lu.provisioning().thresholdState() == io.xtarget.scsi.ThinProvisioning.ThresholdState.REACHED ? 1 : 0);
        }
    }

    private static void metric(StringBuilder b, String name, String type, String help, long value) {
        header(b, name, type, help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, LogicalUnit lu, long value) {
        b.append(name).append("{lu=\"").append(escape(lu.name())).append("\",kind=\"").append(escape(lu.store().kind()))
                .append("\"} ").append(value).append('\n');
    }

    /** Label values escape backslash, double quote and newline (exposition format). */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdown();
    }
}
