package io.xtarget.vhost;

import io.xtarget.scsi.CopyAccessPolicy;
import io.xtarget.scsi.CopyReachability;
import io.xtarget.scsi.FabricPort;
import io.xtarget.scsi.LunMap;
import io.xtarget.scsi.ScsiCore;
import io.xtarget.scsi.TargetPort;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vhost-user-scsi fabric: every controller of the config's {@code "vhost"} list, with the
 * worker threads their commands run on. {@link #apply} starts, remaps and stops controllers as
 * the config says, so a reload can add or remove sockets and change LUN maps while guests run.
 *
 * <p>Relative target port identifiers are unique in the server (SPC-4 7.8.6.5): the iSCSI ports
 * take 1..n, vhost controllers the lowest free numbers above; a controller keeps its number for as
 * long as it exists. Each controller is its own target port group, numbered like its port.
 */
public final class VhostFabric implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(VhostFabric.class);

    /**
     * One controller as configured.
     *
     * @param socket the socket path
     * @param luns its LUN map
     * @param mode the socket file's permissions
     * @param group the socket file's group, or null to keep the server's
     * @param copyPolicy which LUs copies received through the controller may reach (null: initiator)
     * @param copyInitiatorName under policy initiator, the initiator name whose LUN maps on the
     *     core's targets the guest's copies may also use; null: only the controller's own LUNs
     * @param copyReachability which of those targets the guest's copies may reach (the server's
     *     rule; a function of the initiator name, so a reload with the same name keeps the old one)
     */
    public record Spec(Path socket, LunMap luns, Set<PosixFilePermission> mode, String group,
            CopyAccessPolicy copyPolicy, String copyInitiatorName, CopyReachability copyReachability) {
        /** A controller whose copies reach only its own LUNs. */
        public Spec(Path socket, LunMap luns, Set<PosixFilePermission> mode, String group) {
            this(socket, luns, mode, group, null, null, CopyReachability.BY_ACL);
        }

        FabricPort fabricPort(TargetPort port) {
            return new FabricPort(port, copyPolicy, copyInitiatorName);
        }

        /** Whether the controller must restart to take {@code now} (access or copy settings changed). */
        boolean needsRestart(Spec now) {
            return !now.mode().equals(mode) || !java.util.Objects.equals(now.group(), group)
                    || now.copyPolicy() != copyPolicy || !java.util.Objects.equals(now.copyInitiatorName(), copyInitiatorName);
        }
    }

    private final ScsiCore core;
    private final ExecutorService workers;
    private final long bufferBytes;
    private final int firstPortId;
    private final Map<Path, VhostController> controllers = new LinkedHashMap<>();
    private final Map<Path, Spec> specs = new LinkedHashMap<>();

    /**
     * @param workerThreads threads that run commands which are not quick
     * @param bufferBytes the buffer bytes each controller's commands may hold at once
     * @param firstPortId the lowest relative port identifier vhost controllers may take
     */
    public VhostFabric(ScsiCore core, int workerThreads, long bufferBytes, int firstPortId) {
        this.core = core;
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(workerThreads,
                r -> Thread.ofPlatform().daemon().name("vhost-worker-" + n.incrementAndGet()).unstarted(r));
        this.bufferBytes = bufferBytes;
        this.firstPortId = firstPortId;
    }

    /**
     * Makes the running controllers those of {@code wanted}: new sockets start, sockets no longer
     * wanted stop (their guests' sessions end), the others get their new LUN map. A controller
     * whose mode, group or copy settings changed is restarted. Every socket that can start does; the first
     * failure is thrown once the others are applied.
     */
    public synchronized void apply(List<Spec> wanted) throws IOException {
        Map<Path, Spec> next = new LinkedHashMap<>();
        for (Spec s : wanted) {
            next.put(s.socket().toAbsolutePath().normalize(), s);
        }
        for (Path p : List.copyOf(controllers.keySet())) {
            Spec now = next.get(p);
            Spec was = specs.get(p);
            if (now == null || was.needsRestart(now)) {
                controllers.remove(p).close();
                specs.remove(p);
                log.info("vhost controller {} stopped", p);
            }
        }
        IOException first = null;
        for (Map.Entry<Path, Spec> e : next.entrySet()) {
            VhostController c = controllers.get(e.getKey());
            if (c != null) {
                c.remap(e.getValue().luns());
                specs.put(e.getKey(), e.getValue());
                continue;
            }
            Spec s = e.getValue();
            c = new VhostController(e.getKey(), s, freePortId(), core, workers, bufferBytes);
            try {
                c.start();
                controllers.put(e.getKey(), c);
                specs.put(e.getKey(), s);
            } catch (IOException ex) {
                log.error("{}", ex.getMessage());
                if (first == null) {
                    first = ex;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private int freePortId() throws IOException {
        Set<Integer> used = new TreeSet<>();
        controllers.values().forEach(c -> used.add(c.port().relativePortId()));
        for (int id = firstPortId; id <= 0xFFFF; id++) {
            if (!used.contains(id)) {
                return id;
            }
        }
        throw new IOException("no relative port identifier left for another vhost controller");
    }

    public synchronized List<VhostController> controllers() {
        return new ArrayList<>(controllers.values());
    }

    /** Stops every controller (their sessions cleaned up) and the workers. */
    @Override
    public synchronized void close() {
        for (VhostController c : controllers.values()) {
            c.close();
        }
        controllers.clear();
        specs.clear();
        workers.shutdownNow();
    }
}
