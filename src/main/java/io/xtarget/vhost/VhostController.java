package io.xtarget.vhost;

import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.Nexus;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One vhost-user-scsi controller: a Unix socket a QEMU front-end connects to, a SCSI target port
 * with its own relative port identifier (visible in VPD 0x83), one target (max_target 0) and the
 * LUN map from the config. One front-end at a time: a second connection while one is served is
 * closed at once.
 *
 * <p>Access control is the socket file: only who may write to it can connect, and the connecting
 * front-end can read and write all of the LUN map (the guest owns the controller). It is created
 * with mode 0600 (owner: the user xtarget runs as) unless the config asks for another mode or a
 * group. It is bound before it listens, and its mode set in between, so nobody connects through a
 * wider mode. A stale socket file left by a previous run (nobody accepts on it) is replaced; a
 * live one, or a file that is not a socket, is refused.
 *
 * <p>The I_T nexus: the initiator port is the controller's guest, named after the socket
 * ("vhost-user:PATH", ISID 0), the same for every connection to the socket, so persistent
 * reservations and their keys survive a VM restart as they would with a physical HBA.
 */
public final class VhostController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VhostController.class);
    /** Prefix of the names of vhost ports and initiators; no iSCSI name starts with it. */
    public static final String NAME_PREFIX = "vhost-user:";

    private final Path socket;
    private final Set<PosixFilePermission> mode;
    private final String group;
    private final TargetPort port;
    private final Nexus nexus;
    private final ScsiCore core;
    private final Executor workers;
    private final BufferBudget budget;
    private final DataTraffic traffic = new DataTraffic();
    private volatile LunMap lunMap;
    private volatile boolean closed;
    private int listenFd = -1;
    private Thread acceptor;
    private VhostConnection current;

    private final VhostFabric.Spec spec;

    /** A controller whose copies reach only its own LUNs. */
    VhostController(Path socket, Set<PosixFilePermission> mode, String group, int relativePortId, LunMap lunMap,
            ScsiCore core, Executor workers, long bufferBytes) {
        this(socket, new VhostFabric.Spec(socket, lunMap, mode, group), relativePortId, core, workers, bufferBytes);
    }

    VhostController(Path socket, VhostFabric.Spec spec, int relativePortId, ScsiCore core, Executor workers,
            long bufferBytes) {
        this.socket = socket;
        this.spec = spec;
        this.mode = Set.copyOf(spec.mode());
        this.group = spec.group();
        this.port = VhostPorts.targetPort(socket, relativePortId);
        this.nexus = VhostPorts.nexus(socket, port, spec.copyReachability());
        this.lunMap = spec.luns();
        this.core = core;
        this.workers = workers;
        this.budget = new BufferBudget(bufferBytes);
    }

    public Path socket() {
        return socket;
    }

    public TargetPort port() {
        return port;
    }

    Nexus nexus() {
        return nexus;
    }

    LunMap lunMap() {
        return lunMap;
    }

    String socketName() {
        return socket.getFileName().toString();
    }

    /** Command data moved for this controller's guests, placed directly or copied. */
    DataTraffic traffic() {
        return traffic;
    }

    /** Bytes of command data copied between guest memory and a buffer of ours, since start. */
    public long copiedBytes() {
        return traffic.copiedBytes();
    }

    /** Bytes of command data the stores read into or wrote from guest memory directly, since start. */
    public long directBytes() {
        return traffic.directBytes();
    }

    /** Whether a front-end is connected now. */
    public synchronized boolean connected() {
        return current != null;
    }

    /** Creates the socket file (mode, group) and starts accepting. */
    void start() throws IOException {
        removeStale();
        Path dir = socket.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new IOException("vhost socket " + socket + ": directory " + dir + " does not exist");
        }
        int fd = UnixSockets.bind(socket.toString());
        try {
            Files.setPosixFilePermissions(socket, mode);
            if (group != null) {
                GroupPrincipal g = socket.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
                Files.getFileAttributeView(socket, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setGroup(g);
            }
            UnixSockets.startListening(fd, 4);
        } catch (IOException | RuntimeException e) {
            UnixFds.closeQuietly(fd);
            Files.deleteIfExists(socket);
            throw new IOException("vhost socket " + socket + ": " + e.getMessage(), e);
        }
        listenFd = fd;
        core.registerPort(spec.fabricPort(port));
        acceptor = Thread.ofPlatform().daemon().name("vhost-accept " + socketName()).start(this::acceptLoop);
        log.info("vhost-user-scsi controller {}: relative port {}, {} LUN(s), socket mode {}{}, copy policy {}{}", socket,
                port.relativePortId(), lunMap.mappings().size(), java.nio.file.attribute.PosixFilePermissions.toString(mode),
                group == null ? "" : ", group " + group,
                spec.fabricPort(port).effectiveCopyPolicy().name().toLowerCase(java.util.Locale.ROOT),
                spec.copyInitiatorName() == null ? "" : " as initiator " + spec.copyInitiatorName());
    }

    /** A socket file nobody listens on (a previous run's) is removed; anything else is refused. */
    private void removeStale() throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .isOther()) {
            throw new IOException("vhost socket " + socket + " exists and is not a socket");
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            throw new IOException("vhost socket " + socket + " is in use by another process");
        } catch (java.net.ConnectException refused) {
            log.info("removing stale vhost socket {}", socket);
            Files.delete(socket);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            int fd;
            try {
                fd = UnixSockets.accept(listenFd);
            } catch (IOException e) {
                if (!closed) {
                    log.error("{}: accept failed, controller stops: {}", socket, e.getMessage());
                }
                return;
            }
            VhostConnection ending;
            synchronized (this) {
                ending = current;
            }
            if (ending != null) {
                // the previous front-end may have just gone (its end of stream not read yet, or its
                // clean-up running): let it finish; a live one keeps the controller
                ending.awaitEnd(ending.ending() ? VhostConnection.END_WAIT_MILLIS : 2000);
            }
            synchronized (this) {
                if (closed || current != null) {
                    if (!closed) {
                        log.warn("{}: a second front-end connected while one is served; closing it", socket);
                    }
                    UnixFds.closeQuietly(fd);
                    continue;
                }
                try {
                    current = new VhostConnection(this, fd, core, workers, budget);
                    current.start();
                } catch (IOException e) {
                    log.error("{}: cannot serve the connection: {}", socket, e.getMessage());
                    current = null;
                }
            }
        }
    }

    synchronized void connectionEnded(VhostConnection c) {
        if (current == c) {
            current = null;
        }
    }

    /** A config reload gave the controller another LUN map: a connected guest hears of it. */
    void remap(LunMap now) {
        LunMap before;
        VhostConnection c;
        synchronized (this) {
            before = lunMap;
            lunMap = now;
            c = current;
        }
        if (c != null && !now.sameMappings(before)) {
            c.device().lunMapChanged(before, now);
            log.info("reload: {} now maps {} LUN(s)", socket, now.mappings().size());
        }
    }

    /** Stops accepting, ends a connected front-end's session (cleaned up) and removes the socket file. */
    @Override
    public void close() {
        VhostConnection c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            c = current;
        }
        if (listenFd >= 0) {
            UnixSockets.shutdown(listenFd);
        }
        if (acceptor != null) {
            try {
                acceptor.join(500);
                if (acceptor.isAlive()) { // shutdown(2) did not wake accept: a connection does
                    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        ch.connect(UnixDomainSocketAddress.of(socket));
                    } catch (IOException ignored) {
                        // it woke meanwhile
                    }
                    acceptor.join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        UnixFds.closeQuietly(listenFd);
        if (c != null) {
            c.end();
        }
        core.unregisterPort(port);
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", socket, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "vhost " + socket;
    }
}
