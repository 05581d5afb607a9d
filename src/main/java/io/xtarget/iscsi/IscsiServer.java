package io.xtarget.iscsi;

import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.Target;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iSCSI fabric: listens on every portal of every target in the core, runs logins, sessions
 * and connections, and hands SCSI commands to the core. Commands run on a fixed pool of worker
 * threads (no thread per command); each connection has one reader thread.
 *
 * <p>What is iSCSI's own stays here: the targets' CHAP secrets ({@link IscsiTargetSecurity}, by
 * target name), the names of the ports ({@link IscsiPorts}), and the rule by which a session's
 * copies reach other targets ({@link #copyReaches}), which the fabric hands the core with each
 * I_T nexus.
 */
public final class IscsiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IscsiServer.class);

    /**
     * Options of the fabric.
     *
     * @param workerThreads threads running SCSI commands that may block (the rest run on the
     *     connection's own thread)
     * @param nopIntervalSeconds idle time after which the target pings the initiator (NOP-In)
     * @param nopTimeoutSeconds how long a ping may go unanswered before the connection is dropped
     * @param loginTimeoutSeconds how long a new connection may take to complete its login
     * @param sendTimeoutMillis how long a connection may leave queued output unread (its socket
     *     not draining) before it is dropped
     * @param sessionDataBytes the most Data-Out and queued Data-In bytes one session may hold
     * @param serverDataBytes the most Data-Out and queued Data-In bytes all sessions together may hold
     * @param loginBackoffMillis how long logins under an initiator name or source address wait after
     *     one failed CHAP login, doubled per further failure ({@link LoginThrottle}); 0 turns that off
     * @param loginBackoffMaxMillis the longest such wait
     */
    public record Options(int workerThreads, int nopIntervalSeconds, int nopTimeoutSeconds, int loginTimeoutSeconds,
            long sendTimeoutMillis, long sessionDataBytes, long serverDataBytes, long loginBackoffMillis,
            long loginBackoffMaxMillis) {
        public static final long DEFAULT_SEND_TIMEOUT_MILLIS = 30_000;
        public static final long DEFAULT_SESSION_DATA_BYTES = 64L << 20;
        public static final long DEFAULT_SERVER_DATA_BYTES = 1L << 30;
        public static final long DEFAULT_LOGIN_BACKOFF_MILLIS = 1_000;
        public static final long DEFAULT_LOGIN_BACKOFF_MAX_MILLIS = 60_000;

        public Options(int workerThreads, int nopIntervalSeconds, int nopTimeoutSeconds, int loginTimeoutSeconds,
                long sendTimeoutMillis, long sessionDataBytes, long serverDataBytes) {
            this(workerThreads, nopIntervalSeconds, nopTimeoutSeconds, loginTimeoutSeconds, sendTimeoutMillis,
                    sessionDataBytes, serverDataBytes, DEFAULT_LOGIN_BACKOFF_MILLIS, DEFAULT_LOGIN_BACKOFF_MAX_MILLIS);
        }

        public Options(int workerThreads, int nopIntervalSeconds, int nopTimeoutSeconds, int loginTimeoutSeconds) {
            this(workerThreads, nopIntervalSeconds, nopTimeoutSeconds, loginTimeoutSeconds,
                    DEFAULT_SEND_TIMEOUT_MILLIS, DEFAULT_SESSION_DATA_BYTES, DEFAULT_SERVER_DATA_BYTES);
        }

        public static Options defaults() {
            return new Options(Math.max(16, 8 * Runtime.getRuntime().availableProcessors()), 30, 30, 30);
        }

        public Options withSendTimeout(java.time.Duration timeout) {
            return new Options(workerThreads, nopIntervalSeconds, nopTimeoutSeconds, loginTimeoutSeconds,
                    timeout.toMillis(), sessionDataBytes, serverDataBytes, loginBackoffMillis, loginBackoffMaxMillis);
        }

        public Options withDataBudget(long perSession, long perServer) {
            return new Options(workerThreads, nopIntervalSeconds, nopTimeoutSeconds, loginTimeoutSeconds,
                    sendTimeoutMillis, perSession, perServer, loginBackoffMillis, loginBackoffMaxMillis);
        }

        /** The failed-CHAP back-off: {@code first} after one failure (zero: none), doubling up to {@code max}. */
        public Options withLoginBackoff(java.time.Duration first, java.time.Duration max) {
            return new Options(workerThreads, nopIntervalSeconds, nopTimeoutSeconds, loginTimeoutSeconds,
                    sendTimeoutMillis, sessionDataBytes, serverDataBytes, first.toMillis(), max.toMillis());
        }
    }

    /** How long a command may wait for Data-Out it asked for before its connection is dropped (ERL 0). */
    static final long DATA_OUT_TIMEOUT_NANOS = 30_000_000_000L;

    private final ScsiCore core;
    private final Options options;
    private final DataBudget budget;
    private final SessionRegistry sessions = new SessionRegistry(this::copyReaches);
    private final LoginThrottle loginThrottle;
    private final TaskManagement taskManagement = new TaskManagement(this);
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final List<Portal> portals = new ArrayList<>();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService timer;
    private volatile boolean closed;
    /** The secrets discovery sessions must prove with CHAP, or null: discovery is not authenticated. */
    private volatile ChapCredentials discoveryAuth;
    /** The core's targets with their CHAP secrets: what a login is admitted to. */
    private final IscsiAdmissions admissions;
    /** What a config reload or a cold reset does to the sessions. */
    private final SessionsOnReload onReload;

    /** A fabric whose targets need no CHAP. */
    public IscsiServer(ScsiCore core) {
        this(core, Options.defaults());
    }

    /** A fabric whose targets need no CHAP. */
    public IscsiServer(ScsiCore core, Options options) {
        this(core, options, Map.of());
    }

    /**
     * @param security the CHAP secrets of the core's targets, by target name (a target without an
     *     entry needs none)
     */
    public IscsiServer(ScsiCore core, Options options, Map<String, IscsiTargetSecurity> security) {
        this.core = core;
        this.options = options;
        this.admissions = new IscsiAdmissions(core, security);
        this.onReload = new SessionsOnReload(core, this::connections);
        this.budget = new DataBudget(options.sessionDataBytes(), options.serverDataBytes());
        this.loginThrottle = new LoginThrottle(options.loginBackoffMillis() * 1_000_000L,
                Math.max(options.loginBackoffMillis(), options.loginBackoffMaxMillis()) * 1_000_000L);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(options.workerThreads(), r -> {
            Thread t = new Thread(r, "scsi-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "iscsi-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Binds every distinct portal ("host:port", port 0 = ephemeral) and starts accepting. */
    public synchronized void start() throws IOException {
        Map<String, List<TargetPort>> byPortal = new LinkedHashMap<>();
        for (Target t : core.targets()) {
            for (TargetPort p : t.ports()) {
                byPortal.computeIfAbsent(p.portal(), k -> new ArrayList<>()).add(p);
            }
        }
        try {
            for (Map.Entry<String, List<TargetPort>> e : byPortal.entrySet()) {
                InetSocketAddress addr = parse(e.getKey());
                ServerSocketChannel ssc = ServerSocketChannel.open();
                ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                try {
                    ssc.bind(addr, 128);
                } catch (IOException ex) {
                    ssc.close();
                    throw new IOException("cannot listen on " + e.getKey() + ": " + ex.getMessage(), ex);
                }
                listeners.add(ssc);
                Portal portal = new Portal(e.getKey(), (InetSocketAddress) ssc.getLocalAddress(), List.copyOf(e.getValue()));
                portals.add(portal);
                Thread.ofPlatform().daemon().name("iscsi-accept-" + portal).start(() -> acceptLoop(ssc, portal));
                log.info("listening on {} for {}", portal, e.getValue().stream().map(TargetPort::targetName).toList());
            }
        } catch (IOException e) {
            close();
            throw e;
        }
        timer.scheduleWithFixedDelay(() -> connections.forEach(c -> c.tick(options)), 1, 1, TimeUnit.SECONDS);
    }

    static InetSocketAddress parse(String hostPort) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IOException("portal must be host:port, got " + hostPort);
        }
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        Integer port = KeyValues.decimal(hostPort.substring(colon + 1), 0, 65535);
        if (port == null) {
            throw new IOException("bad port in portal " + hostPort);
        }
        return new InetSocketAddress(host, port);
    }

    private void acceptLoop(ServerSocketChannel ssc, Portal portal) {
        while (!closed) {
            try {
                SocketChannel sc = ssc.accept();
                sc.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(this, portal, sc);
                timer.schedule(() -> c.loginDeadline(), options.loginTimeoutSeconds(), TimeUnit.SECONDS);
                Thread.ofVirtual().name("iscsi-login").start(c::login);
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept on {} failed: {}", portal, e.getMessage());
                }
                if (!ssc.isOpen()) {
                    return;
                }
            }
        }
    }

    /** The addresses actually bound, in the order of first appearance among target ports. */
    public synchronized List<InetSocketAddress> boundAddresses() {
        return portals.stream().map(Portal::bound).toList();
    }

    public ScsiCore core() {
        return core;
    }

    synchronized List<Portal> portals() {
        return List.copyOf(portals);
    }

    SessionRegistry sessions() {
        return sessions;
    }

    TaskManagement taskManagement() {
        return taskManagement;
    }

    ExecutorService workers() {
        return workers;
    }

    Options options() {
        return options;
    }

    DataBudget budget() {
        return budget;
    }

    LoginThrottle loginThrottle() {
        return loginThrottle;
    }

    /**
     * Login counters since start.
     *
     * @param authFailures logins that failed CHAP (status 0201)
     * @param throttled logins the throttle delayed
     * @param throttleRefused logins refused at once (status 0301) because their slot came after their login timeout
     */
    public record LoginStats(long authFailures, long throttled, long throttleRefused) {}

    public LoginStats loginStats() {
        LoginThrottle.Stats s = loginThrottle.stats();
        return new LoginStats(s.authFailures(), s.delayed(), s.refused());
    }

    void register(Connection c) {
        connections.add(c);
        if (closed) {
            c.terminate("server shutting down");
        }
    }

    void unregister(Connection c) {
        connections.remove(c);
        Session s = c.session();
        if (s != null) {
            sessions.remove(s);
        }
    }

    List<Connection> connections() {
        return new ArrayList<>(connections);
    }

    /** The CHAP secrets of a target (by name, case-insensitive as {@link ScsiCore#target}). */
    IscsiTargetSecurity security(String targetName) {
        return admissions.security(targetName);
    }

    /** What a login to {@code targetName} by {@code initiatorName} gets ({@link IscsiAdmissions#admission}). */
    IscsiAdmissions.Admission admission(String targetName, String initiatorName) {
        return admissions.admission(targetName, initiatorName);
    }

    /** The copy reachability rule of every iSCSI nexus ({@link IscsiAdmissions#copyReaches}). */
    boolean copyReaches(Nexus nexus, Target other) {
        return admissions.copyReaches(nexus, other);
    }

    /**
     * The copy reachability rule for a nexus that proved no CHAP secret (another fabric's, e.g. a
     * vhost guest copying as a configured initiator name): a target that demands CHAP secrets of
     * the name is never reachable; one without secrets is reachable as its ACL grants.
     */
    public boolean reachableWithoutChap(String targetName, String initiatorName) {
        return admissions.security(targetName).chapFor(initiatorName) == null;
    }

    /**
     * Replaces the core's targets and their CHAP secrets together (a config reload), then moves
     * every session as {@link #targetsChanged} does. A login reads both at once
     * ({@link #admission}), never one config's ACL with another's secrets.
     */
    public void replaceTargets(List<Target> targets, Map<String, IscsiTargetSecurity> security) {
        admissions.replace(targets, security);
        targetsChanged();
    }

    /**
     * The core's targets were replaced (config reload): every normal session moves to its
     * target's new LUN map for its initiator ({@link SessionsOnReload#targetsChanged}).
     */
    public void targetsChanged() {
        onReload.targetsChanged();
    }

    /**
     * Requires CHAP with these secrets of every discovery session (SessionType=Discovery), or no
     * authentication ({@code null}, the default). With secrets, a discovery login must negotiate
     * AuthMethod=CHAP (RFC 7143 12.1) and complete the exchange of 12.1.3, mutual when the
     * initiator asks, before it reaches full feature phase and may send SendTargets; anything else
     * ends the login with status 0201, authentication failure (RFC 7143 11.13.5). Normal sessions
     * keep their targets' and ACLs' secrets. May be called while serving (config reload): when
     * the secrets change, open discovery sessions are closed, so a SendTargets after the change
     * comes from a login judged by the new rule.
     */
    public void discoveryAuth(ChapCredentials chap) {
        ChapCredentials was = discoveryAuth;
        discoveryAuth = chap;
        if (!Objects.equals(was, chap)) {
            onReload.discoveryAuthChanged();
        }
    }

    /** The secrets discovery logins must prove, or null. */
    ChapCredentials discoveryAuth() {
        return discoveryAuth;
    }

    /** TARGET COLD RESET: every session of the target is dropped (RFC 7143 11.5.1). */
    void dropSessionsOf(Target target) {
        onReload.dropSessionsOf(target);
    }

    /** Number of logged-in sessions (for status output). */
    public int sessionCount() {
        return sessions.all().size();
    }

    /** Stops accepting, ends every session (running tasks see their abort flag), closes sockets. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            for (ServerSocketChannel l : listeners) {
                try {
                    l.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }
        for (Connection c : connections()) {
            c.terminate("server shutting down");
        }
        timer.shutdownNow();
        workers.shutdown();
        try {
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdownNow();
    }
}
