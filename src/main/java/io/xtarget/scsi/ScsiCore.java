package io.xtarget.scsi;

import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI core: one dispatch path for every command, whatever fabric or internal port sent it.
 * In order it checks (SAM-5 5.x / SPC-4 5.x): the opcode is known; then {@link AccessCheck} (the
 * check copies make too): a logical unit is mapped, pending unit attentions, reservations; then
 * the CDB (every bit set must be in the row's CDB USAGE DATA, {@link CdbUsage#check}); then the
 * rest of {@link AccessCheck}: a sanitize operation in progress or failed, an image that exists,
 * a loaded medium (removable LUs), write protection (a read-only mapping refuses every row
 * {@link CommandDescriptor#refusedReadOnly} names, software write protection every WRITE); then runs the handler and turns any failure into status and sense in the format the LU's D_SENSE
 * asks for.
 *
 * <p>The CDB check comes after the unit attention and the reservation check because SAM-5 5.3.2
 * gives RESERVATION CONFLICT precedence over any other status, and a unit attention (a reset, a
 * changed medium) is what the initiator must learn first; it comes before the image, medium and
 * write-protection checks because a CDB with a reserved bit set is not a command this device
 * server implements, whatever the state of the medium or the mapping. The opcode and service
 * action themselves are checked first ({@link #lookup}): every later check needs the row.
 */
public final class ScsiCore {
    private static final Logger log = LoggerFactory.getLogger(ScsiCore.class);

    private final OpcodeTable table;
    private final TaskManager taskManager = new TaskManager();
    private volatile List<Target> targets;
    private final java.util.Map<Integer, FabricPort> fabricPorts = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final List<java.util.function.Consumer<Nexus>> nexusLossListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public ScsiCore(OpcodeTable table, List<Target> targets) {
        this.table = Objects.requireNonNull(table);
        this.targets = List.copyOf(targets);
    }

    /** Implicit ALUA between gateways, or null (one gateway: every group active/optimized). */
    private volatile Alua alua;

    public Alua alua() {
        return alua;
    }

    public void setAlua(Alua alua) {
        this.alua = alua;
    }

    public OpcodeTable opcodes() {
        return table;
    }

    /** Every target this server exports. */
    public List<Target> targets() {
        return targets;
    }

    /**
     * Replaces the exported targets (a config reload). Sessions keep running; the fabric then
     * moves each one to its target's new LUN map.
     */
    public void replaceTargets(List<Target> newTargets) {
        this.targets = List.copyOf(newTargets);
    }

    public Target target(String name) {
        for (Target t : targets) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }

    /**
     * Registers a target port that belongs to no {@link Target} (a fabric's own, e.g. a vhost
     * controller), replacing one with the same relative port identifier.
     */
    public void registerPort(FabricPort port) {
        fabricPorts.put(port.port().relativePortId(), port);
    }

    /** Forgets a port {@link #registerPort} registered (the fabric stopped serving it). */
    public void unregisterPort(TargetPort port) {
        fabricPorts.remove(port.relativePortId(), fabricPort(port));
    }

    /** The registered port {@code port} is, or null (a port of a {@link Target}, or unknown). */
    public FabricPort fabricPort(TargetPort port) {
        FabricPort f = port == null ? null : fabricPorts.get(port.relativePortId());
        return f != null && f.port().equals(port) ? f : null;
    }

    /** Every target port of the server: those of the targets, then the registered ones. */
    public List<TargetPort> ports() {
        List<TargetPort> out = new java.util.ArrayList<>();
        for (Target t : targets) {
            out.addAll(t.ports());
        }
        fabricPorts.values().forEach(f -> out.add(f.port()));
        return out;
    }

    /** Registers code that must forget an I_T nexus when it ends (e.g. held copy results). */
    public void onNexusLoss(java.util.function.Consumer<Nexus> listener) {
        nexusLossListeners.add(listener);
    }

    public TaskManager taskManager() {
        return taskManager;
    }

    /**
     * An I_T nexus was formed (a login): every LU it can address counts it among "every I_T
     * nexus" for unit attentions from now on.
     */
    public void nexusFormed(Nexus nexus, LunMap lunMap) {
        for (LunMapping m : lunMap.mappings()) {
            m.unit().unitAttentions().attach(nexus);
        }
    }

    /** The nexus now addresses the LUs of {@code now} instead of {@code before} (a config reload). */
    public void nexusRemapped(Nexus nexus, LunMap before, LunMap now) {
        for (LunMapping m : before.mappings()) {
            m.unit().unitAttentions().detach(nexus);
        }
        nexusFormed(nexus, now);
    }

    /**
     * An I_T nexus ended (logout or connection loss, SAM-5 6.3.4): its tasks are aborted, SPC-2
     * reservations it held are released and its medium removal preventions end on every LU it
     * could reach ({@link TaskManager#nexusLost}), and listeners forget its state.
     */
    public TaskManager.Aborted nexusLost(Nexus nexus, LunMap lunMap) {
        TaskManager.Aborted a = taskManager.nexusLost(nexus, lunMap);
        for (java.util.function.Consumer<Nexus> l : nexusLossListeners) {
            l.accept(nexus);
        }
        return a;
    }

    /**
     * The command entered its task set (SAM-5 4.6): from now on task management and PREEMPT AND
     * ABORT can reach it. The fabric calls this when it delivers the command in order.
     */
    public void enter(ScsiTask task) {
        LogicalUnit lu = task.lu();
        if (lu != null) {
            lu.tasks().add(task);
        }
    }

    /** Looks up the descriptor for a CDB, or throws the sense SPC-4 asks for. */
    public CommandDescriptor lookup(Cdb cdb) throws ScsiException {
        int op = cdb.opcode();
        if (table.hasServiceActions(op)) {
            CommandDescriptor d = table.get(op, cdb.serviceAction());
            if (d == null) {
                throw new ScsiException(Sense.invalidFieldInCdb(1, 4));
            }
            return d;
        }
        CommandDescriptor d = table.get(op);
        if (d == null) {
            throw new ScsiException(Sense.invalidOpcode());
        }
        return d;
    }

    /**
     * Whether the command may run on the fabric's receiving thread: its row is
     * {@linkplain CommandDescriptor.Flag#QUICK quick} and, when it touches the medium, the LU's
     * store answers at memory speed. Unknown or malformed commands fail at once, so they are quick.
     */
    public boolean quick(ScsiTask task) {
        CommandDescriptor d;
        try {
            d = lookup(task.cdb());
        } catch (ScsiException e) {
            return true;
        }
        if (!d.has(CommandDescriptor.Flag.QUICK)) {
            return false;
        }
        LogicalUnit lu = task.lu();
        return lu == null || d.access() == MediumAccess.NONE || d.access() == MediumAccess.STATUS || lu.fastIo();
    }

    /**
     * Whether a fabric should try {@link #start} for this command: its row's handler starts
     * commands and its LU's store starts I/O.
     */
    public boolean startable(ScsiTask task) {
        CommandDescriptor d;
        try {
            d = lookup(task.cdb());
        } catch (ScsiException e) {
            return false;
        }
        LogicalUnit lu = task.lu();
        return d.handler().starts() && lu != null && lu.startsIo();
    }

    /** Runs one command to completion on the calling thread. Never throws. */
    public ScsiResult execute(ScsiTask task) {
        CommandDescriptor d = null;
        try {
            d = checked(task);
            return d.handler().execute(task);
        } catch (ScsiException | IOException | RuntimeException e) {
            return failed(task, d, e);
        }
    }

    /**
     * Starts one command without blocking the calling thread (a fabric's receiving thread): the
     * checks of {@link #execute}, then the handler's {@link CommandHandler#start}.
     *
     * @return null when the command must run with {@link #execute} instead (the checks passed and
     *     run again there); else a future of its result, which never fails (failures are its
     *     CHECK CONDITION) and completes on the store's thread
     */
    public CompletableFuture<ScsiResult> start(ScsiTask task) {
        CommandDescriptor d = null;
        try {
            d = checked(task);
            CompletableFuture<ScsiResult> f = d.handler().start(task);
            if (f == null) {
                return null;
            }
            CommandDescriptor row = d;
            return f.handle((r, e) -> e == null ? r
                    : failed(task, row, e instanceof CompletionException c && c.getCause() != null ? c.getCause() : e));
        } catch (ScsiException | IOException | RuntimeException e) {
            return CompletableFuture.completedFuture(failed(task, d, e));
        }
    }

    /**
     * The row of a command that may run: LU mapped, unit attention, reservations; the CDB; then
     * sanitize, image, medium, write protection: the check copies make too ({@link AccessCheck}),
     * so commands and copies never disagree.
     */
    private CommandDescriptor checked(ScsiTask task) throws ScsiException {
        LunMapping mapping = task.mapping();
        CommandDescriptor d = lookup(task.cdb());
        AccessCheck.Request request = AccessCheck.Request.command(d, task.cdb());
        AccessCheck.requireNexus(task.nexus(), mapping, request);
        CdbUsage.check(d.cdbUsage(), task.cdb());
        AccessCheck.requireUnitState(mapping, request);
        return d;
    }

    /** A command's failure as its status and sense ({@code row} null when the opcode was unknown). */
    private static ScsiResult failed(ScsiTask task, CommandDescriptor row, Throwable e) {
        if (e instanceof ScsiException s) {
            return ScsiResult.of(s);
        }
        if (e instanceof IOException io) {
            IoErrorSense.log(task, io);
            Sense s = IoErrorSense.of(io, row == null ? null : row.access());
            return new ScsiResult(ScsiStatus.CHECK_CONDITION, s, null);
        }
        log.error("internal error on {}", task, e);
        return ScsiResult.internalFailure();
    }
}
