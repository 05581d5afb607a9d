package io.xtarget.server;

import io.xtarget.backend.LockOwnership;
import io.xtarget.backend.PeerChannel;
import io.xtarget.scsi.LogicalUnit;
import io.xtarget.scsi.PeerResets;
import io.xtarget.scsi.TaskManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resets across the gateways of an RBD image ({@link PeerResets}): each LU on a store the gateways
 * share ({@link LockOwnership}) has a {@link PeerChannel} (on RBD: a RADOS watch/notify object next
 * to the image); a reset performed here (LOGICAL UNIT RESET, a target
 * reset) is sent to the other gateways, which perform it for their nexuses of the LU
 * ({@link TaskManager#resetByPeer}) before they acknowledge, so that when the initiator gets the
 * reset's response, the LU's nexuses on every gateway hold the unit attention (29h/03h, 29h/00h).
 *
 * <p>Messages: {@code "reset LOGICAL_UNIT"} or {@code "reset TARGET"} (ASCII). A peer that does not
 * answer within {@link #TIMEOUT} is given up on (logged): a dead gateway has no nexuses to tell.
 * Channels follow the LUs: {@link #sync} opens one for each new RBD LU and closes those of LUs
 * that went away (reload), and reopens lost ones; the server calls it before it listens, then
 * {@link #start} runs it every {@link #SYNC_INTERVAL}.
 */
public final class GatewayResets implements PeerResets, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayResets.class);

    /** How long a reset waits for the other gateways to acknowledge it. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** How often the channels are matched to the LUs served. */
    static final Duration SYNC_INTERVAL = Duration.ofSeconds(1);
    private static final String PREFIX = "reset ";

    private final TaskManager tasks;
    private final Supplier<? extends Collection<LogicalUnit>> units;
    /** Per LU name: its channel (LUs on RBD stores only). */
    private final Map<String, Open> channels = new HashMap<>();
    /** Per LU name: why its channel could not be opened last time (logged once per reason). */
    private final Map<String, String> failures = new HashMap<>();
    private boolean closed;
    private final Thread syncer = Thread.ofPlatform().daemon().name("xt-gateway-resets").unstarted(this::syncLoop);

    private record Open(LogicalUnit lu, PeerChannel channel) {}

    /** Resets for {@code units} (those on RBD stores), performed by {@code tasks}. */
    public GatewayResets(TaskManager tasks, Supplier<? extends Collection<LogicalUnit>> units) {
        this.tasks = tasks;
        this.units = units;
    }

    /** Opens channels for new RBD LUs and lost ones, closes those of LUs no longer served. */
    public synchronized void sync() {
        if (closed) {
            return;
        }
        Map<String, LogicalUnit> now = new HashMap<>();
        for (LogicalUnit lu : units.get()) {
            if (lu.store() instanceof LockOwnership) {
                now.put(lu.name(), lu);
            }
        }
        failures.keySet().retainAll(now.keySet());
        channels.entrySet().removeIf(e -> {
            Open o = e.getValue();
            if (now.get(e.getKey()) == o.lu() && !o.channel().broken()) {
                return false;
            }
            o.channel().close();
            return true;
        });
        for (LogicalUnit lu : now.values()) {
            if (channels.containsKey(lu.name())) {
                continue;
            }
            LockOwnership store = (LockOwnership) lu.store();
            try {
                channels.put(lu.name(), new Open(lu, store.openPeerChannel(m -> received(lu, m))));
                if (failures.remove(lu.name()) != null) {
                    log.info("LU {}: resets are shared with the other gateways from now on", lu.name());
                }
            } catch (IOException | RuntimeException e) {
                if (!String.valueOf(e.getMessage()).equals(failures.put(lu.name(), String.valueOf(e.getMessage())))) {
                    log.warn("LU {}: resets are not shared with the other gateways yet (trying again every {} s): {}",
                            lu.name(), SYNC_INTERVAL.toSeconds(), e.getMessage());
                }
            }
        }
    }

    /** Starts matching the channels to the LUs in the background. */
    public GatewayResets start() {
        syncer.start();
        return this;
    }

    private void syncLoop() {
        while (true) {
            try {
                Thread.sleep(SYNC_INTERVAL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            sync();
        }
    }

    private void received(LogicalUnit lu, byte[] message) {
        String text = new String(message, StandardCharsets.US_ASCII);
        if (!text.startsWith(PREFIX)) {
            return;
        }
        PeerResets.Kind kind;
        try {
            kind = PeerResets.Kind.valueOf(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            log.warn("LU {}: another gateway sent an unknown message: {}", lu.name(), text);
            return;
        }
        log.info("LU {}: {} reset through another gateway: the same here", lu.name(), kind);
        tasks.resetByPeer(lu, kind);
    }

    @Override
    public void announce(Collection<LogicalUnit> reset, Kind kind) {
        byte[] message = (PREFIX + kind.name()).getBytes(StandardCharsets.US_ASCII);
        for (LogicalUnit lu : reset) {
            PeerChannel c;
            synchronized (this) {
                Open o = channels.get(lu.name());
                c = o == null || o.lu() != lu ? null : o.channel();
            }
            if (c == null) {
                continue;
            }
            try {
                c.send(message, TIMEOUT);
            } catch (IOException | RuntimeException e) {
                log.warn("LU {}: the other gateways may not have performed the {} reset: {}", lu.name(), kind,
                        e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        syncer.interrupt();
        synchronized (this) {
            closeChannels();
        }
    }

    private void closeChannels() {
        closed = true;
        for (Open o : channels.values()) {
            o.channel().close();
        }
        channels.clear();
    }
}
