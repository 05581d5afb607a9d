package io.xtarget.scsi;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a logical unit is with sanitize operations (SBC-4 4.11): idle, one in progress (with how
 * far it got), or failed. The state belongs to the LU, not to the command that started the
 * operation: an operation runs on a thread of its own and goes on when its SANITIZE command
 * ends, is aborted, or a LUN or target reset or an I_T nexus loss happens (SBC-4 4.11.1); only
 * {@link #stop} (the server shutting down) ends it early.
 *
 * <p>While an operation is in progress the core refuses every command but those flagged
 * {@link CommandDescriptor.Flag#ALLOWED_DURING_SANITIZE} with NOT READY / LOGICAL UNIT NOT READY,
 * SANITIZE IN PROGRESS (04h/1Bh) and the progress indication; after a failure with MEDIUM ERROR /
 * SANITIZE COMMAND FAILED (31h/03h), except SANITIZE itself, until an operation completes
 * without error or, for one started with AUSE=1 (unrestricted completion mode), EXIT FAILURE MODE
 * (SBC-4 4.11.3, 5.30).
 */
public final class SanitizeState {
    private static final Logger log = LoggerFactory.getLogger(SanitizeState.class);

    /** The SANITIZE operation code (SBC-4 5.30): the one command a failed LU still accepts. */
    public static final int SANITIZE_OPCODE = 0x48;

    public enum Phase {
        /** No operation in progress and none failed: commands run as usual. */
        IDLE,
        /** An operation is running; {@link #progress} tells how far. */
        IN_PROGRESS,
        /** The last operation completed with an error: the LU is in sanitize failure mode. */
        FAILED
    }

    /** How the work reports how far it got: {@code done} of {@code total} units (bytes, passes...). */
    @FunctionalInterface
    public interface Progress {
        void report(long done, long total);
    }

    /** The work of one sanitize operation: the medium is changed here, off the command thread. */
    @FunctionalInterface
    public interface Work {
        void run(Progress progress) throws IOException, InterruptedException;
    }

    private Phase phase = Phase.IDLE;
    /** Progress of the running operation as a fraction of 65536 (SPC-4 4.5.2.4.4). */
    private int progress;
    /** Whether the failed operation was started with AUSE=1 (unrestricted completion mode). */
    private boolean unrestrictedExit;
    private Thread runner;
    private boolean stopping;

    public synchronized Phase phase() {
        return phase;
    }

    /** Progress of the running operation, 0 to 65535 (numerator over 65536); 0 when none runs. */
    public synchronized int progress() {
        return phase == Phase.IN_PROGRESS ? progress : 0;
    }

    /** Whether the failed operation was started with AUSE=1; false when none failed. */
    public synchronized boolean unrestrictedExit() {
        return phase == Phase.FAILED && unrestrictedExit;
    }

    /**
     * The sense the core ends a command with because of a sanitize operation, or null when the row
     * may run: flagged {@link CommandDescriptor.Flag#ALLOWED_DURING_SANITIZE}, or SANITIZE in
     * failure mode (how the LU leaves it).
     */
    public Sense refusal(CommandDescriptor d) {
        return refusal(d.has(CommandDescriptor.Flag.ALLOWED_DURING_SANITIZE), d.opcode() == SANITIZE_OPCODE);
    }

    /**
     * The same for an access described by its properties ({@link AccessCheck.Request}): NOT READY
     * (in progress) or MEDIUM ERROR (failed, unless {@code sanitizeCommand}), null when allowed.
     */
    public synchronized Sense refusal(boolean allowedDuringSanitize, boolean sanitizeCommand) {
        if (phase == Phase.IDLE || allowedDuringSanitize) {
            return null;
        }
        if (phase == Phase.IN_PROGRESS) {
            return Sense.sanitizeInProgress(progress);
        }
        return sanitizeCommand ? null : Sense.sanitizeFailed();
    }

    /** What REQUEST SENSE reports when no unit attention is pending: null when idle. */
    public synchronized Sense currentSense() {
        return switch (phase) {
            case IDLE -> null;
            case IN_PROGRESS -> Sense.sanitizeInProgress(progress);
            case FAILED -> Sense.sanitizeFailed();
        };
    }

    /**
     * Starts an operation on a virtual thread of its own. Succeeding returns the LU to idle;
     * failing (an I/O error) puts it in failure mode, leavable by EXIT FAILURE MODE when
     * {@code ause} is set.
     *
     * @param name for the thread and logs
     * @return completes when the operation ends (normally or exceptionally with the I/O error)
     * @throws ScsiException NOT READY / SANITIZE IN PROGRESS when one is already running
     */
    public synchronized CompletableFuture<Void> start(String name, boolean ause, Work work) throws ScsiException {
        if (phase == Phase.IN_PROGRESS) {
            throw new ScsiException(Sense.sanitizeInProgress(progress));
        }
        if (stopping) {
            throw new ScsiException(Sense.sanitizeFailed());
        }
        phase = Phase.IN_PROGRESS;
        progress = 0;
        CompletableFuture<Void> done = new CompletableFuture<>();
        runner = Thread.ofVirtual().name("sanitize-" + name).unstarted(() -> run(name, ause, work, done));
        runner.start();
        return done;
    }

    private void run(String name, boolean ause, Work work, CompletableFuture<Void> done) {
        try {
            work.run(this::report);
            finish(Phase.IDLE, ause);
            log.info("sanitize of {} completed", name);
            done.complete(null);
        } catch (InterruptedException e) {
            // stopped by the server shutting down: nothing will look at this LU again
            log.info("sanitize of {} stopped by shutdown", name);
            finish(Phase.IN_PROGRESS, ause);
            done.completeExceptionally(e);
        } catch (IOException | RuntimeException e) {
            if (stopping()) { // an interrupted channel throws ClosedByInterruptException
                log.info("sanitize of {} stopped by shutdown", name);
                finish(Phase.IN_PROGRESS, ause);
                done.completeExceptionally(e);
                return;
            }
            log.warn("sanitize of {} failed: {}", name, e.toString());
            finish(Phase.FAILED, ause);
            done.completeExceptionally(e);
        }
    }

    private synchronized void report(long done, long total) {
        if (total > 0) {
            progress = (int) Math.min(0xFFFF, (long) (65536.0 * done / total));
        }
    }

    private synchronized void finish(Phase next, boolean ause) {
        phase = next;
        unrestrictedExit = ause;
        progress = 0;
        runner = null;
        notifyAll();
    }

    /**
     * EXIT FAILURE MODE (SBC-4 5.30.5): leaves failure mode when the failed operation allowed it
     * (AUSE=1); does nothing when the LU is not in failure mode.
     *
     * @return false when the failed operation ran in restricted completion mode (AUSE=0): only a
     *     sanitize operation that completes without error ends that failure mode
     */
    public synchronized boolean exitFailureMode() {
        if (phase == Phase.FAILED) {
            if (!unrestrictedExit) {
                return false;
            }
            phase = Phase.IDLE;
        }
        return true;
    }

    private synchronized boolean stopping() {
        return stopping;
    }

    /** Stops a running operation (server shutdown) and waits for its thread to end. */
    public void stop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            stopping = true;
            t = runner;
        }
        if (t != null) {
            t.interrupt();
            t.join();
        }
    }
}
