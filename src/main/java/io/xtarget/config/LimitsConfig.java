package io.xtarget.config;

import io.xtarget.iscsi.IscsiServer;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code "limits"} object: resource bounds of the iSCSI fabric. Every field is
 * nullable and null means "not set": the fabric's default applies ({@link IscsiServer.Options#defaults()}),
 * and the field is not written back, so a config keeps exactly the fields its author set.
 *
 * @param sessionBuffer the most command data (Data-Out being collected plus Data-In waiting to be
 *     sent) one session may hold, bytes
 * @param serverBuffer the same bound for all sessions together, bytes
 * @param sendTimeoutSeconds how long a connection may leave queued output unread before it is dropped
 * @param nopIntervalSeconds idle time after which the target pings the initiator (NOP-In)
 * @param nopTimeoutSeconds how long a ping may go unanswered before the connection is dropped
 * @param loginTimeoutSeconds how long a new connection may take to complete its login
 * @param workerThreads threads running SCSI commands that may block
 * @param loginBackoffMillis how long logins from an initiator name or a source address wait after one
 *     failed CHAP login, doubled per further failure; 0 turns the login throttle off
 * @param loginBackoffMaxMillis the longest such wait
 */
public record LimitsConfig(Long sessionBuffer, Long serverBuffer, Integer sendTimeoutSeconds,
        Integer nopIntervalSeconds, Integer nopTimeoutSeconds, Integer loginTimeoutSeconds, Integer workerThreads,
        Integer loginBackoffMillis, Integer loginBackoffMaxMillis) {
    /** Nothing set: every bound at its default. */
    public static final LimitsConfig NONE = new LimitsConfig(null, null, null, null, null, null, null);

    /** Limits without the login back-off fields (those at their defaults). */
    public LimitsConfig(Long sessionBuffer, Long serverBuffer, Integer sendTimeoutSeconds, Integer nopIntervalSeconds,
            Integer nopTimeoutSeconds, Integer loginTimeoutSeconds, Integer workerThreads) {
        this(sessionBuffer, serverBuffer, sendTimeoutSeconds, nopIntervalSeconds, nopTimeoutSeconds,
                loginTimeoutSeconds, workerThreads, null, null);
    }

    /** This with the login back-off fields set (null: default). */
    public LimitsConfig withLoginBackoff(Integer millis, Integer maxMillis) {
        return new LimitsConfig(sessionBuffer, serverBuffer, sendTimeoutSeconds, nopIntervalSeconds,
                nopTimeoutSeconds, loginTimeoutSeconds, workerThreads, millis, maxMillis);
    }

    /**
     * The smallest sessionBuffer: the largest command (32 MiB, {@code ScsiLimits.MAX_TRANSFER_BYTES})
     * plus 1 MiB for the first bursts (up to 256 KiB each, counted but never refused) of writes
     * queued behind it.
     */
    public static final long MIN_SESSION_BUFFER = 33L << 20;
    public static final int MAX_TIMEOUT_SECONDS = 3600;
    public static final int MAX_WORKER_THREADS = 1024;
    public static final int MAX_LOGIN_BACKOFF_MILLIS = 3_600_000;

    /** The JSON field names, in the order they are written and shown. */
    public static final List<String> FIELDS = List.of("sessionBuffer", "serverBuffer", "sendTimeoutSeconds",
            "nopIntervalSeconds", "nopTimeoutSeconds", "loginTimeoutSeconds", "workerThreads", "loginBackoffMillis",
            "loginBackoffMaxMillis");

    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * The fabric options these limits ask for: each field that is set replaces the one of
     * {@code base}, the others stay as {@code base} has them.
     */
    public IscsiServer.Options applyTo(IscsiServer.Options base) {
        return new IscsiServer.Options(
                or(workerThreads, base.workerThreads()),
                or(nopIntervalSeconds, base.nopIntervalSeconds()),
                or(nopTimeoutSeconds, base.nopTimeoutSeconds()),
                or(loginTimeoutSeconds, base.loginTimeoutSeconds()),
                sendTimeoutSeconds == null ? base.sendTimeoutMillis() : sendTimeoutSeconds * 1000L,
                sessionBuffer == null ? base.sessionDataBytes() : sessionBuffer,
                serverBuffer == null ? base.serverDataBytes() : serverBuffer,
                loginBackoffMillis == null ? base.loginBackoffMillis() : loginBackoffMillis,
                loginBackoffMaxMillis == null ? base.loginBackoffMaxMillis() : loginBackoffMaxMillis);
    }

    /** The options a config asks for over {@code base}; a config without limits asks for {@code base}. */
    public static IscsiServer.Options options(LimitsConfig limits, IscsiServer.Options base) {
        return limits == null ? base : limits.applyTo(base);
    }

    /** The value of a field by its JSON name (null when not set). */
    public Object get(String field) {
        return switch (field) {
            case "sessionBuffer" -> sessionBuffer;
            case "serverBuffer" -> serverBuffer;
            case "sendTimeoutSeconds" -> sendTimeoutSeconds;
            case "nopIntervalSeconds" -> nopIntervalSeconds;
            case "nopTimeoutSeconds" -> nopTimeoutSeconds;
            case "loginTimeoutSeconds" -> loginTimeoutSeconds;
            case "workerThreads" -> workerThreads;
            case "loginBackoffMillis" -> loginBackoffMillis;
            case "loginBackoffMaxMillis" -> loginBackoffMaxMillis;
            default -> throw new IllegalArgumentException("no limit named " + field);
        };
    }

    /** The effective value of a field under {@code o}, as the config spells it (sizes as "64M"). */
    public static String effective(IscsiServer.Options o, String field) {
        return switch (field) {
            case "sessionBuffer" -> Sizes.format(o.sessionDataBytes());
            case "serverBuffer" -> Sizes.format(o.serverDataBytes());
            case "sendTimeoutSeconds" -> o.sendTimeoutMillis() % 1000 == 0
                    ? Long.toString(o.sendTimeoutMillis() / 1000) : Double.toString(o.sendTimeoutMillis() / 1000.0);
            case "nopIntervalSeconds" -> Integer.toString(o.nopIntervalSeconds());
            case "nopTimeoutSeconds" -> Integer.toString(o.nopTimeoutSeconds());
            case "loginTimeoutSeconds" -> Integer.toString(o.loginTimeoutSeconds());
            case "workerThreads" -> Integer.toString(o.workerThreads());
            case "loginBackoffMillis" -> Long.toString(o.loginBackoffMillis());
            case "loginBackoffMaxMillis" -> Long.toString(o.loginBackoffMaxMillis());
            default -> throw new IllegalArgumentException("no limit named " + field);
        };
    }

    /** The fields whose effective values differ between two option sets, as "name old -> new". */
    public static List<String> differences(IscsiServer.Options was, IscsiServer.Options now) {
        List<String> out = new ArrayList<>();
        for (String f : FIELDS) {
            String a = effective(was, f);
            String b = effective(now, f);
            if (!a.equals(b)) {
                out.add(f + " " + a + " -> " + b);
            }
        }
        return out;
    }

    private static int or(Integer value, int fallback) {
        return value == null ? fallback : value;
    }
}
